import { EXIT, type Command } from "./command.js";
import { formatFlags, parseFlags, UsageError } from "./flags.js";

/**
 * The commands by name. Each is imported only when run, so a hollow-node process does not carry the
 * master's PKI, the experiment runner or the dashboard (about 17 MiB of a thousand-node process).
 */
interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: CommandEntry[] = [
  {
    name: "start",
    summary:
      "Start a local master (or use an existing one) and N hollow nodes, as local processes or pods of an external cluster",
    load: async () => (await import("./commands/start.js")).startCommand,
  },
  {
    name: "status",
    summary:
      "Show each component of a cluster: pid, ports and health; an existing master's, the external pods",
    load: async () => (await import("./commands/status.js")).statusCommand,
  },
  {
    name: "kubeconfig",
    summary: "Print the path of a local cluster's admin kubeconfig",
    load: async () => (await import("./commands/kubeconfig.js")).kubeconfigCommand,
  },
  {
    name: "stop",
    summary:
      "Stop a cluster's hollow nodes and master, remove what it created (here, on the master, outside)",
    load: async () => (await import("./commands/stop.js")).stopCommand,
  },
  {
    name: "run",
    summary: "Run a ClusterLoader2-like experiment and write its PerfData, junit.xml and summary.json",
    load: async () => (await import("./commands/run.js")).runCommand,
  },
  {
    name: "dashboard",
    summary:
      "Serve a local web dashboard of the runs in report dirs: charts over runs, comparisons, run pages",
    load: async () => (await import("./commands/dashboard.js")).dashboardCommand,
  },
  {
    name: "report",
    summary: "Write a run's page as one self-contained HTML file, to attach to a bug or a pull request",
    load: async () => (await import("./commands/report.js")).reportCommand,
  },
  {
    name: "node-problem",
    summary:
      "Inject a problem into a hollow node (a node-problem-detector condition, or stopped heartbeats), or heal it",
    load: async () => (await import("./commands/node-problem.js")).nodeProblemCommand,
  },
  {
    name: "locate",
    summary: "Show where a hollow node runs: its external pod and that pod's node, or its local process",
    load: async () => (await import("./commands/locate.js")).locateCommand,
  },
  {
    name: "logs",
    summary: "Print a hollow node's log lines, from its pod or its local process's log (-f follows)",
    load: async () => (await import("./commands/logs.js")).logsCommand,
  },
  {
    name: "hollow-node",
    summary: "Run hollow nodes (kubelet, kube-proxy, node-problem-detector) in this process until SIGTERM",
    load: async () => (await import("./commands/hollow-node.js")).hollowNodeCommand,
  },
  {
    name: "build",
    summary: "Build etcd and the Kubernetes master binaries from the Go module proxy into the cache",
    load: async () => (await import("./commands/build.js")).buildCommand,
  },
];

function usage(): string {
  return [
    "kubemark: a real Kubernetes master surrounded by hollow nodes, for control-plane scalability tests.",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`),
    "",
    "Use 'kubemark <command> --help' for a command's flags.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(line + "\n");
  const err = (line: string) => process.stderr.write(line + "\n");
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    out(usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    err(`error: unknown command "${name}" for "kubemark"\n\n${usage()}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    out(`${entry.summary}\n\nUsage:\n  ${command.usage}\n\nFlags:\n${formatFlags(command.flags)}`);
    return EXIT.ok;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const { flags, positional } = parseFlags(rest, command.flags);
    return await command.run({ flags, positional, argv: rest, out, err, signal: controller.signal });
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}\nSee 'kubemark ${name} --help'.`);
      return EXIT.usage;
    }
    if (controller.signal.aborted) {
      err("interrupted");
      return EXIT.interrupted;
    }
    err(`error: ${(e as Error).message}`);
    return EXIT.failed;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
