import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** ClusterLoader2's artifact format, which perfdash charts. */
export interface PerfData {
  version: "1.0";
  dataItems: DataItem[];
  labels?: Record<string, string>;
}

export interface DataItem {
  data: Record<string, number>;
  unit: string;
  labels?: Record<string, string>;
}

/** `<Summary>_<Identifier>_<test>_<RFC 3339 UTC, whole seconds>.json`; perfdash finds files by the prefix. */
export function perfDataFileName(summary: string, identifier: string, test: string, time: Date): string {
  for (const part of [summary, identifier, test]) {
    if (part === "" || /[/\\]/.test(part)) throw new Error(`invalid PerfData file name part "${part}"`);
  }
  const rfc3339 = time.toISOString().replace(/\.\d{3}Z$/, "Z");
  return `${summary}_${identifier}_${test}_${rfc3339}.json`;
}

/** Writes pretty JSON and returns the file's path. */
export async function writePerfData(
  dir: string,
  summary: string,
  identifier: string,
  test: string,
  time: Date,
  perfData: PerfData,
): Promise<string> {
  // JSON.stringify would turn NaN into null, which perfdash cannot chart; refuse rather than write it.
  for (const item of perfData.dataItems) {
    for (const [key, value] of Object.entries(item.data)) {
      if (!Number.isFinite(value)) throw new RangeError(`PerfData ${summary}: ${key} is ${value}`);
    }
  }
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, perfDataFileName(summary, identifier, test, time));
  await writeFile(file, `${JSON.stringify(perfData, null, 2)}\n`);
  return file;
}
