import type { HollowNodeProviderName } from "../../master/cluster-state.js";
import { parseBootstrapToken } from "../../providers/bootstrap-token.js";
import { hollowNodeProvider, HOLLOW_NODE_PROVIDERS } from "../../providers/hollow-node-provider.js";
import { masterProvider } from "../../providers/master-provider.js";
import { stopProviders } from "../../providers/stop-cluster.js";
import { EXIT, NAME_FLAG, type Command } from "../command.js";
import { UsageError } from "../flags.js";

export const BIN_DIR_FLAG = {
  name: "bin-dir",
  type: "string",
  help: "directory holding etcd, kube-apiserver, kube-controller-manager, kube-scheduler",
  env: "KUBEMARK_BIN_DIR",
} as const;

/** The image `docker build -t kubemark-hollow-node:0.1.0 .` makes from the Dockerfile at the repo root. */
export const DEFAULT_IMAGE = "kubemark-hollow-node:0.1.0";

export const startCommand: Command = {
  usage:
    "kubemark start [--name NAME] [--nodes N] [--master-kubeconfig M [--bootstrap-token T]] [--provider local|external --external-kubeconfig E [--nodes-per-pod K] [--image IMAGE]]",
  flags: [
    NAME_FLAG,
    { name: "nodes", type: "int", help: "hollow nodes to start", default: 0 },
    BIN_DIR_FLAG,
    { name: "port", type: "int", help: "kube-apiserver port on 127.0.0.1 (default: a free port)" },
    { name: "timeout", type: "int", help: "seconds to wait for the cluster to be ready", default: 120 },
    { name: "apiserver-arg", type: "list", help: "extra kube-apiserver flag, repeatable" },
    { name: "controller-manager-arg", type: "list", help: "extra kube-controller-manager flag, repeatable" },
    { name: "scheduler-arg", type: "list", help: "extra kube-scheduler flag, repeatable" },
    { name: "etcd-arg", type: "list", help: "extra etcd flag, repeatable" },
    {
      name: "master-kubeconfig",
      type: "string",
      help: "use the running master of this kubeconfig instead of starting a local one",
    },
    {
      name: "bootstrap-token",
      type: "string",
      help: "with --master-kubeconfig: hollow nodes join with this bootstrap token (id.secret), a certificate each",
      env: "KUBEMARK_BOOTSTRAP_TOKEN",
    },
    {
      name: "provider",
      type: "string",
      help: "where hollow nodes run: local processes, or pods in an external cluster",
      choices: HOLLOW_NODE_PROVIDERS,
      default: "local",
    },
    {
      name: "external-kubeconfig",
      type: "string",
      help: "with --provider external: the cluster the hollow-node pods run in (namespace kubemark)",
    },
    {
      name: "nodes-per-pod",
      type: "int",
      help: "with --provider external: hollow nodes per pod",
      default: 10,
    },
    {
      name: "image",
      type: "string",
      help: "with --provider external: the hollow-node image (built from the Dockerfile)",
      default: DEFAULT_IMAGE,
    },
    {
      name: "hollow-processes",
      type: "int",
      help: "processes to spread hollow nodes over (default: one per 250 nodes, at most one per core)",
    },
    {
      name: "shared-watch",
      type: "bool",
      help: "hollow nodes share one pod watch per process (bigger scale, less kubelet-like traffic)",
    },
    {
      name: "hollow-node-arg",
      type: "list",
      help: "extra 'kubemark hollow-node' flag, repeatable (e.g. --hollow-node-arg=--node-labels=zone=a)",
    },
  ],
  async run({ flags, out, err, signal }) {
    const nodes = flags.nodes as number;
    if (nodes < 0) throw new UsageError("--nodes must be 0 or more");
    const providerName = flags.provider as HollowNodeProviderName;
    if (providerName === "external" && !flags["external-kubeconfig"])
      throw new UsageError("--provider external needs --external-kubeconfig");
    if (providerName !== "external" && flags["external-kubeconfig"])
      throw new UsageError("--external-kubeconfig goes with --provider external");
    if ((flags["nodes-per-pod"] as number) < 1) throw new UsageError("--nodes-per-pod must be at least 1");
    if (flags["bootstrap-token"] && !flags["master-kubeconfig"])
      throw new UsageError("--bootstrap-token goes with --master-kubeconfig");
    if (flags["bootstrap-token"]) {
      try {
        parseBootstrapToken(flags["bootstrap-token"] as string);
      } catch (e) {
        throw new UsageError(`invalid --bootstrap-token: ${(e as Error).message}`);
      }
    }
    const timeoutMs = (flags.timeout as number) * 1000;
    const startedAt = performance.now();
    const master = await masterProvider(flags["master-kubeconfig"] ? "existing" : "local");
    const hollow = await hollowNodeProvider(providerName);
    const desc = await master.start({
      name: flags.name as string,
      binDir: flags["bin-dir"] as string | undefined,
      apiserverPort: flags.port as number | undefined,
      timeoutMs,
      extraArgs: {
        "kube-apiserver": flags["apiserver-arg"] as string[],
        "kube-controller-manager": flags["controller-manager-arg"] as string[],
        "kube-scheduler": flags["scheduler-arg"] as string[],
        etcd: flags["etcd-arg"] as string[],
      },
      masterKubeconfig: flags["master-kubeconfig"] as string | undefined,
      bootstrapToken: flags["bootstrap-token"] as string | undefined,
      log: err,
      signal,
    });
    if (nodes > 0) {
      try {
        await hollow.start(desc, master, {
          count: nodes,
          processes: flags["hollow-processes"] as number | undefined,
          sharedWatch: flags["shared-watch"] === true,
          extraArgs: flags["hollow-node-arg"] as string[],
          externalKubeconfig: flags["external-kubeconfig"] as string | undefined,
          nodesPerPod: flags["nodes-per-pod"] as number,
          image: flags.image as string,
          timeoutMs,
          log: err,
          signal,
        });
      } catch (e) {
        if (hollow.name === "external" && !signal.aborted) {
          // Pods that do not start are best inspected where they are; stop removes them and the rest.
          err(
            `hollow nodes failed to start; everything is left as it is for inspection: 'kubemark stop --name ${desc.name}' removes it`,
          );
        } else {
          err(
            signal.aborted
              ? "interrupted; stopping the cluster"
              : "hollow nodes failed to start; stopping the cluster",
          );
          await stopProviders(desc, false, err);
        }
        throw e;
      }
    }
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    out(
      `Cluster '${desc.name}' is ready: Kubernetes ${desc.kubernetesVersion} at ${desc.server}, ${desc.hollowNodes?.count ?? 0} hollow nodes${hollow.name === "external" && nodes > 0 ? " in pods of the external cluster" : ""}, in ${seconds} s.`,
    );
    out(`kubeconfig: ${desc.kubeconfig}`);
    out("");
    out("Next:");
    out(`  kubectl --kubeconfig ${desc.kubeconfig} get nodes`);
    out(`  npx kubemark status --name ${desc.name}`);
    out(`  npx kubemark stop --name ${desc.name}`);
    return EXIT.ok;
  },
};
