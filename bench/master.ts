/**
 * npm run bench:master — start-to-ready time of a local master with cached binaries, and each
 * component's RSS and CPU at idle. Prints JSON.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { COMPONENTS } from "../src/master/cluster-state.js";
import { startLocalMaster, stopLocalMaster } from "../src/master/local-master.js";
import { sampleProcess } from "../src/master/proc-stats.js";
import { kubernetesVersion, ETCD_VERSION } from "../src/master/versions.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);

const home = await mkdtemp(path.join(os.tmpdir(), "kubemark-bench-"));
process.env.KUBEMARK_HOME = home;
const startSeconds: number[] = [];
let idle: Record<string, { rssMiB: number; cpuMillicores: number }> = {};
try {
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const desc = await startLocalMaster({ name: `bench${i}` });
    startSeconds.push((performance.now() - t0) / 1000);
    if (i === RUNS - 1) {
      const before = await Promise.all(COMPONENTS.map((c) => sampleProcess(desc.components[c].pid)));
      await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
      const afterIdle = await Promise.all(COMPONENTS.map((c) => sampleProcess(desc.components[c].pid)));
      idle = Object.fromEntries(
        COMPONENTS.map((c, j) => [
          c,
          {
            rssMiB: +(afterIdle[j].rssBytes / 2 ** 20).toFixed(1),
            cpuMillicores: +(
              ((afterIdle[j].cpuSeconds - before[j].cpuSeconds) / IDLE_SECONDS) *
              1000
            ).toFixed(1),
          },
        ]),
      );
    }
    await stopLocalMaster(`bench${i}`, false);
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
const sorted = [...startSeconds].sort((a, b) => a - b);
console.log(
  JSON.stringify(
    {
      benchmark: "master",
      kubernetesVersion: kubernetesVersion(),
      etcdVersion: ETCD_VERSION,
      cpus: os.cpus().length,
      runs: RUNS,
      startToReadySeconds: {
        all: startSeconds.map((s) => +s.toFixed(2)),
        median: +sorted[Math.floor(sorted.length / 2)].toFixed(2),
      },
      idleSeconds: IDLE_SECONDS,
      idle,
      idleRssMiBTotal: +Object.values(idle)
        .reduce((a, c) => a + c.rssMiB, 0)
        .toFixed(1),
    },
    null,
    2,
  ),
);
