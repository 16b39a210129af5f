import { readFile } from "node:fs/promises";

/** Clock ticks per second of /proc/<pid>/stat's CPU fields (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

export interface ProcSample {
  /** CPU seconds used so far (user + system). */
  cpuSeconds: number;
  /** Of those, the seconds spent in the kernel on the process's behalf (system calls, the network stack). */
  systemCpuSeconds: number;
  rssBytes: number;
}

/** Reads a process's cumulative CPU time and resident memory from /proc. */
export async function sampleProcess(pid: number): Promise<ProcSample> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, "utf8"),
    readFile(`/proc/${pid}/status`, "utf8"),
  ]);
  // Fields after the parenthesised command name, which may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return {
    cpuSeconds: (utime + stime) / USER_HZ,
    systemCpuSeconds: stime / USER_HZ,
    rssBytes: rssKiB * 1024,
  };
}
