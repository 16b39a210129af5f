import type { FlagSpec, FlagValues } from "./flags.js";

export interface CommandContext {
  flags: FlagValues;
  positional: string[];
  /** The command's arguments as given, for commands that merge in flags from a file (command line wins). */
  argv: string[];
  out: (line: string) => void;
  err: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM, so long commands stop cleanly. */
  signal: AbortSignal;
}

export interface Command {
  usage: string;
  flags: FlagSpec[];
  /** Resolves to the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** Exit codes: 0 success, 1 the command failed, 2 the command line was wrong, 130 interrupted (as shells report SIGINT). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export const NAME_FLAG: FlagSpec = {
  name: "name",
  type: "string",
  help: "local cluster name",
  default: "kubemark",
  env: "KUBEMARK_CLUSTER",
};
export const OUTPUT_FLAG: FlagSpec = {
  name: "output",
  short: "o",
  type: "string",
  help: "output format",
  choices: ["text", "json"],
  default: "text",
};
