import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";

export interface Spawned {
  pid: number;
  /** Resolves with a description when the process exits (used to detect a component dying during start). */
  exited: Promise<string>;
}

/**
 * Starts a process that outlives us (as the guide's start script leaves its cluster running): its own
 * process group, stdout and stderr appended to its log file.
 */
export function spawnDetached(
  binary: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Spawned {
  const fd = openSync(logFile, "a", 0o600);
  try {
    const child = spawn(binary, args, { detached: true, stdio: ["ignore", fd, fd], env });
    const exited = new Promise<string>((resolve) => {
      child.once("error", (err) => resolve(`failed to start: ${err.message}`));
      child.once("exit", (code, signal) =>
        resolve(signal ? `killed by ${signal}` : `exited with code ${code}`),
      );
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${binary}`);
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

/** True when pid is alive and is still the program we started (pids are recycled). */
export async function isRunning(pid: number | undefined, binary: string): Promise<boolean> {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // A zombie (state Z) has exited; it only waits for its parent to reap it.
    if (/^\d+ \(.*\) Z/.test(stat)) return false;
    return cmdline.split("\0")[0] === binary || cmdline.includes(binary);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
export async function terminate(pid: number, binary: string, graceMs = 10_000): Promise<void> {
  if (!(await isRunning(pid, binary))) return;
  signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(pid, binary))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  signal(pid, "SIGKILL");
  while (await isRunning(pid, binary)) await new Promise((r) => setTimeout(r, 20));
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** The last lines of a log, to explain why a component died. */
export async function logTail(file: string, lines = 20): Promise<string> {
  try {
    const text = await readFile(file, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
