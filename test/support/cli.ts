import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const KUBEMARK_BIN = path.join(repo, "bin", "kubemark.js");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A new empty directory under the system's temp dir; a test removes it with removeTempDir when done. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A private KUBEMARK_HOME per test file, so tests never touch the user's clusters. */
export function testHome(): Promise<string> {
  return tempDir("kubemark-test-");
}

/**
 * Removes a test's temp dir (a test home once its clusters are stopped, a report dir, a browser profile);
 * retried, as a stopped process may still be closing a file in it.
 */
export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
}

export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 180_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} took over ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export function kubemark(home: string, ...args: string[]): Promise<RunResult> {
  return run(process.execPath, [KUBEMARK_BIN, ...args], { KUBEMARK_HOME: home });
}

export function kubectl(kubeconfig: string, ...args: string[]): Promise<RunResult> {
  return run("kubectl", ["--kubeconfig", kubeconfig, ...args]);
}

/** Polls until check returns a value, or fails with the last reason after the deadline. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`,
  );
}
