import { readFile } from "node:fs/promises";
import YAML from "yaml";
import { loadKubeconfig } from "../../client/kubeconfig.js";
import { PROTOBUF_MEDIA_TYPE } from "../../client/protobuf/envelope.js";
import { HollowProcess, type HollowNodeSpec } from "../../hollow/hollow-process.js";
import { DEFAULT_CAPACITY, indexForName } from "../../hollow/node-config.js";
import { validateStages } from "../../hollow/pods/stages.js";
import { parseGoDuration } from "../../hollow/pods/duration.js";
import { kubernetesVersion } from "../../master/versions.js";
import { EXIT, type Command } from "../command.js";
import { parseFlags, UsageError, type FlagSpec, type FlagValues } from "../flags.js";
import { argsFromFlagMap, parseFlagFile } from "../../util/flag-file.js";
import { parseKeyValues, parseTaints } from "../parse-lists.js";

/** Flags upstream's hollow-node pod template passes that have no meaning here: accepted, ignored. */
const UPSTREAM_IGNORED_FLAGS: FlagSpec[] = [
  { name: "v", type: "int", help: "klog verbosity (ignored)" },
  { name: "log-file", type: "string", help: "klog log file (ignored: logs go to stdout)" },
  { name: "logtostderr", type: "bool", help: "(ignored)" },
  { name: "alsologtostderr", type: "bool", help: "(ignored)" },
  { name: "use-real-proxier", type: "bool", help: "(ignored: the hollow proxy has no data plane)" },
  { name: "proxier-sync-period", type: "string", help: "(ignored)" },
  { name: "proxier-min-sync-period", type: "string", help: "(ignored)" },
];

export const hollowNodeCommand: Command = {
  usage: "kubemark hollow-node --kubeconfig K (--name X | --count N [--name-prefix P]) [flags]",
  flags: [
    {
      name: "config",
      type: "string",
      help: "YAML file of flag names to values (as the external provider's ConfigMap holds); the command line wins",
    },
    {
      name: "kubeconfig",
      type: "string",
      help: "kubeconfig of the master (server, CA, and the default identity)",
    },
    { name: "name", type: "string", help: "run one node with this name (upstream-compatible)" },
    { name: "count", type: "int", help: "nodes to run in this process", default: 1 },
    { name: "name-prefix", type: "string", help: "node names are <prefix>-<index>", default: "hollow-node" },
    { name: "index-offset", type: "int", help: "first index of this process's nodes", default: 0 },
    {
      name: "node-cert-dir",
      type: "string",
      help: "directory of <node>.crt/<node>.key: one kubelet identity per node",
    },
    {
      name: "bootstrap-kubeconfig",
      type: "string",
      help: "kubeconfig with a bootstrap token: each node without a certificate in --node-cert-dir requests one (TLS bootstrapping)",
    },
    {
      name: "index-from-name",
      type: "bool",
      help: "derive each node's IP and fallback podCIDR from its name, as --name does (for prefixes not numbered cluster-wide, e.g. pod names)",
    },
    { name: "proxy-kubeconfig", type: "string", help: "kube-proxy's kubeconfig (default: --kubeconfig)" },
    {
      name: "morph",
      type: "string",
      help: "which components to run",
      choices: ["all", "kubelet", "proxy"],
      default: "all",
    },
    { name: "node-labels", type: "string", help: "extra node labels, k=v,k2=v2" },
    { name: "register-with-taints", type: "string", help: "taints to register with, key=value:Effect,..." },
    { name: "max-pods", type: "int", help: "pods capacity", default: 110 },
    { name: "capacity", type: "string", help: "capacity overrides, e.g. cpu=8,memory=32Gi" },
    { name: "extended-resources", type: "string", help: "extended resources, e.g. example.com/gpu=4" },
    {
      name: "instance-type",
      type: "string",
      help: "node.kubernetes.io/instance-type label",
      default: "kubemark",
    },
    { name: "kube-api-qps", type: "int", help: "client QPS per node (heartbeats unthrottled)", default: 10 },
    { name: "kube-api-burst", type: "int", help: "client burst per node", default: 20 },
    {
      name: "kube-api-content-type",
      type: "string",
      help: "encoding asked of the API server for pod watches and unread responses, as the kubelet's",
      choices: [PROTOBUF_MEDIA_TYPE, "application/json"],
      default: PROTOBUF_MEDIA_TYPE,
    },
    {
      name: "shared-watch",
      type: "bool",
      help: "one pod watch for the whole process instead of one per node",
    },
    { name: "stages", type: "string", help: "YAML file with the pod lifecycle stage table" },
    { name: "run-time", type: "string", help: "how long Job pods run, Go duration", default: "5s" },
    { name: "stop-time", type: "string", help: "upper bound of a graceful container stop", default: "1s" },
    {
      name: "batch-interval",
      type: "string",
      help: "a busy process handles network events and timers in passes at most this often, Go duration (0: each as it comes)",
      default: "100ms",
    },
    {
      name: "metrics-port",
      type: "int",
      help: "serve Prometheus metrics on 127.0.0.1:PORT (0: free port; -1: off)",
      default: -1,
    },
    { name: "seed", type: "int", help: "random seed for jitter and stage delays (default: from the pid)" },
    ...UPSTREAM_IGNORED_FLAGS,
  ],
  async run({ flags: given, argv, err, signal }) {
    const flags = given.config ? await withFlagFile(given.config as string, argv) : given;
    if (!flags.kubeconfig) throw new UsageError("--kubeconfig is required");
    const identity = await loadKubeconfig(flags.kubeconfig as string);
    const proxyIdentity = flags["proxy-kubeconfig"]
      ? await loadKubeconfig(flags["proxy-kubeconfig"] as string)
      : undefined;
    const nodes = nodeSpecs(
      flags.name as string | undefined,
      flags.count as number,
      flags["name-prefix"] as string,
      flags["index-offset"] as number,
      flags["index-from-name"] === true,
    );
    const capacity = {
      ...DEFAULT_CAPACITY,
      pods: String(flags["max-pods"]),
      ...parseKeyValues("capacity", flags.capacity as string | undefined),
      ...parseKeyValues("extended-resources", flags["extended-resources"] as string | undefined),
    };
    const duration = (flag: string) => {
      const ms = parseGoDuration(flags[flag] as string);
      if (ms === undefined)
        throw new UsageError(`invalid --${flag} "${flags[flag]}": want a Go duration such as 5s`);
      return ms;
    };
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    if (flags["bootstrap-kubeconfig"]) {
      if (!flags["node-cert-dir"]) throw new UsageError("--bootstrap-kubeconfig needs --node-cert-dir");
      // Loaded only here: the PKI code is not worth carrying in every hollow process.
      const { bootstrapNodeCertificates } = await import("../../providers/tls-bootstrap.js");
      await bootstrapNodeCertificates({
        bootstrap: await loadKubeconfig(flags["bootstrap-kubeconfig"] as string),
        certDir: flags["node-cert-dir"] as string,
        nodeNames: nodes.map((n) => n.name),
        timeoutMs: 120_000,
        log,
        signal,
      });
    }
    const proc = new HollowProcess({
      nodes,
      identity,
      proxyIdentity,
      nodeCertDir: flags["node-cert-dir"] as string | undefined,
      morph: flags.morph as "all" | "kubelet" | "proxy",
      labels: parseKeyValues("node-labels", flags["node-labels"] as string | undefined),
      taints: parseTaints(flags["register-with-taints"] as string | undefined),
      capacity,
      instanceType: flags["instance-type"] as string,
      kubeletVersion: kubernetesVersion(),
      qps: flags["kube-api-qps"] as number,
      burst: flags["kube-api-burst"] as number,
      sharedWatch: flags["shared-watch"] === true,
      mediaType: flags["kube-api-content-type"] as string,
      stages: flags.stages
        ? validateStages(YAML.parse(await readFile(flags.stages as string, "utf8")))
        : undefined,
      runTimeMs: duration("run-time"),
      stopTimeMs: duration("stop-time"),
      seed: (flags.seed as number | undefined) ?? process.pid,
      batchIntervalMs: duration("batch-interval"),
      log,
    });
    if ((flags["metrics-port"] as number) >= 0) {
      const served = await proc.metrics.serve(flags["metrics-port"] as number);
      log(`metrics on http://127.0.0.1:${served.port}/metrics`);
    }
    const started = performance.now();
    await proc.start();
    log(`${nodes.length} hollow node(s) started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    log("stopping: finishing writes in flight");
    await proc.stop();
    err(`stopped ${nodes.length} hollow node(s)`);
    return EXIT.ok;
  },
};

/** The flags of a --config file with the command line's after them: for single-valued flags the last wins. */
async function withFlagFile(file: string, argv: string[]): Promise<FlagValues> {
  const fromFile = argsFromFlagMap(parseFlagFile(await readFile(file, "utf8"), file));
  return parseFlags([...fromFile, ...argv], hollowNodeCommand.flags).flags;
}

function nodeSpecs(
  name: string | undefined,
  count: number,
  prefix: string,
  offset: number,
  indexFromName: boolean,
): HollowNodeSpec[] {
  if (name) return [{ name, index: indexForName(name) }];
  if (count < 1) throw new UsageError("--count must be at least 1");
  return Array.from({ length: count }, (_, i) => {
    const nodeName = `${prefix}-${offset + i}`;
    return { name: nodeName, index: indexFromName ? indexForName(nodeName) : offset + i };
  });
}
