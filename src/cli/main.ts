import { buildCommand } from "./commands/build.js";
import { hollowNodeCommand } from "./commands/hollow-node.js";
import { kubeconfigCommand } from "./commands/kubeconfig.js";
import { nodeProblemCommand } from "./commands/node-problem.js";
import { runCommand } from "./commands/run.js";
import { startCommand } from "./commands/start.js";
import { statusCommand } from "./commands/status.js";
import { stopCommand } from "./commands/stop.js";
import { EXIT, type Command } from "./command.js";
import { formatFlags, parseFlags, UsageError } from "./flags.js";

const COMMANDS: Command[] = [
  startCommand,
  statusCommand,
  kubeconfigCommand,
  stopCommand,
  runCommand,
  nodeProblemCommand,
  hollowNodeCommand,
  buildCommand,
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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    err(`error: unknown command "${name}" for "kubemark"\n\n${usage()}`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    out(`${command.summary}\n\nUsage:\n  ${command.usage}\n\nFlags:\n${formatFlags(command.flags)}`);
    return EXIT.ok;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const { flags, positional } = parseFlags(rest, command.flags);
    return await command.run({ flags, positional, out, err, signal: controller.signal });
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}\nSee 'kubemark ${command.name} --help'.`);
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
