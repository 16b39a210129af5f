import { sampleProcess } from "../../src/master/proc-stats.js";

/** CPU and RSS summed over a set of processes (upstream's hollow nodes are two per node). */
export interface UsageSample {
  atMs: number;
  cpuSeconds: number;
  rssBytes: number;
}

export async function sampleProcesses(pids: number[]): Promise<UsageSample> {
  const each = await Promise.all(pids.map((pid) => sampleProcess(pid)));
  return {
    atMs: Date.now(),
    cpuSeconds: each.reduce((a, s) => a + s.cpuSeconds, 0),
    rssBytes: each.reduce((a, s) => a + s.rssBytes, 0),
  };
}

/** Average millicores between two samples. */
export function millicores(before: UsageSample, after: UsageSample): number {
  return ((after.cpuSeconds - before.cpuSeconds) / ((after.atMs - before.atMs) / 1000)) * 1000;
}
