import { startHollowNodes } from "../../master/local-hollow-nodes.js";
import { startLocalMaster, stopCluster } from "../../master/local-master.js";
import { EXIT, NAME_FLAG, type Command } from "../command.js";

export const BIN_DIR_FLAG = {
  name: "bin-dir",
  type: "string",
  help: "directory holding etcd, kube-apiserver, kube-controller-manager, kube-scheduler",
  env: "KUBEMARK_BIN_DIR",
} as const;

export const startCommand: Command = {
  usage: "kubemark start [--name NAME] [--nodes N]",
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
    if (nodes < 0) throw new Error("--nodes must be 0 or more");
    const startedAt = performance.now();
    const desc = await startLocalMaster({
      name: flags.name as string,
      binDir: flags["bin-dir"] as string | undefined,
      apiserverPort: flags.port as number | undefined,
      timeoutMs: (flags.timeout as number) * 1000,
      extraArgs: {
        "kube-apiserver": flags["apiserver-arg"] as string[],
        "kube-controller-manager": flags["controller-manager-arg"] as string[],
        "kube-scheduler": flags["scheduler-arg"] as string[],
        etcd: flags["etcd-arg"] as string[],
      },
      log: err,
      signal,
    });
    if (nodes > 0) {
      try {
        await startHollowNodes(desc, {
          count: nodes,
          processes: flags["hollow-processes"] as number | undefined,
          sharedWatch: flags["shared-watch"] === true,
          extraArgs: flags["hollow-node-arg"] as string[],
          timeoutMs: (flags.timeout as number) * 1000,
          log: err,
          signal,
        });
      } catch (e) {
        err(
          signal.aborted
            ? "interrupted; stopping the cluster"
            : "hollow nodes failed to start; stopping the cluster",
        );
        await stopCluster(desc);
        throw e;
      }
    }
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    out(
      `Cluster '${desc.name}' is ready: Kubernetes ${desc.kubernetesVersion} at ${desc.server}, ${nodes} hollow nodes, in ${seconds} s.`,
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
