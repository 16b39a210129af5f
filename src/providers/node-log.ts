import { open } from "node:fs/promises";
import { LineSplitter } from "../util/line-splitter.js";

/**
 * Whether a hollow process's log line concerns this node: the process prefixes each node's lines with
 * "<node>: " after the timestamp (src/cli/commands/hollow-node.ts) and runs many nodes, so the lines of
 * the process's other nodes are left out; the process's own lines (start, metrics, stop) concern all.
 */
export function concernsNode(line: string, node: string, processNodes: ReadonlySet<string>): boolean {
  const m = /^\S+ ([^\s:]+): /.exec(line);
  return !m || m[1] === node || !processNodes.has(m[1]);
}

/** Reads a log file's lines; with follow, keeps reading what is appended until the signal aborts. */
export async function readLogFile(
  file: string,
  onLine: (line: string) => void,
  follow: boolean,
  signal: AbortSignal,
): Promise<void> {
  const handle = await open(file, "r");
  const lines = new LineSplitter(onLine);
  const buffer = Buffer.alloc(64 * 1024);
  let position = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        lines.push(buffer.subarray(0, bytesRead).toString("utf8"));
        continue;
      }
      if (!follow || signal.aborted) break;
      // tail -f polls too: a log written by another process gives no event to wait on portably.
      await new Promise((r) => setTimeout(r, 250));
    }
    lines.flush();
  } finally {
    await handle.close();
  }
}
