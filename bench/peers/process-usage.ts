import { sampleProcess, type ProcSample } from "../../src/master/proc-stats.js";

/** CPU and RSS summed over a set of processes (upstream's hollow nodes are two per node), and when. */
export interface UsageSample extends ProcSample {
  atMs: number;
}

export async function sampleProcesses(pids: number[]): Promise<UsageSample> {
  const each = await Promise.all(pids.map((pid) => sampleProcess(pid)));
  const sum = (field: keyof ProcSample) => each.reduce((a, s) => a + s[field], 0);
  return {
    atMs: Date.now(),
    cpuSeconds: sum("cpuSeconds"),
    systemCpuSeconds: sum("systemCpuSeconds"),
    rssBytes: sum("rssBytes"),
  };
}

/** Average millicores between two samples: all CPU, or only the kernel's ("system"). */
export function millicores(before: UsageSample, after: UsageSample, kind: CpuKind = "all"): number {
  return ((cpuOf(after, kind) - cpuOf(before, kind)) / ((after.atMs - before.atMs) / 1000)) * 1000;
}

export type CpuKind = "all" | "system";

/** A steady CPU rate in millicores: in all, and the kernel's part of it. */
export type SteadyRate = Record<CpuKind, number>;

/** The average rate between two samples, in all and in the kernel. */
export function steadyRate(before: UsageSample, after: UsageSample): SteadyRate {
  return { all: millicores(before, after), system: millicores(before, after, "system") };
}

export function cpuOf(sample: UsageSample, kind: CpuKind): number {
  return kind === "all" ? sample.cpuSeconds : sample.systemCpuSeconds;
}
