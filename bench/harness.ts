/**
 * npm run bench:harness — the experiment harness itself: the create rate it achieves against the rate a
 * tuning set asks for, and a density run on BENCH_NODES hollow nodes (default 100) x 30 pods with its pod
 * startup percentiles and the harness's own CPU and RSS. Prints JSON.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { KubeClient } from "../src/client/kube-client.js";
import { loadKubeconfig } from "../src/client/kubeconfig.js";
import { runTuned, timerFromClock } from "../src/experiments/tuning.js";
import { KUBEMARK_BIN, startHollowNodes } from "../src/master/local-hollow-nodes.js";
import { startLocalMaster, stopCluster } from "../src/master/local-master.js";
import { sampleProcess } from "../src/master/proc-stats.js";
import { realClock } from "../src/util/clock.js";
import { createRandom } from "../src/util/random.js";
import { BENCH_MASTER_ARGS } from "./support/master-args.js";

const rates = (process.env.BENCH_RATES ?? "10,25,50,100").split(",").map(Number);
const rateSeconds = Number(process.env.BENCH_RATE_SECONDS ?? 10);
const nodes = Number(process.env.BENCH_NODES ?? 100);
const podsPerNode = Number(process.env.BENCH_PODS_PER_NODE ?? 30);
const log = (line: string) => process.stderr.write(`[bench:harness] ${line}\n`);

/** Creates rate x seconds ConfigMaps paced by a qps tuning set; the achieved rate is over the whole span. */
async function createRate(client: KubeClient, qps: number) {
  const count = qps * rateSeconds;
  const ns = `rate-${qps}`;
  await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const actions = Array.from(
    { length: count },
    (_, i) => () =>
      client
        .create(
          `/api/v1/namespaces/${ns}/configmaps`,
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}` } },
          { discardBody: true },
        )
        .then(() => {}),
  );
  const t0 = performance.now();
  await runTuned({ name: "bench", type: "qps", qps }, actions, {
    timer: timerFromClock(realClock),
    rand: createRandom(1),
  });
  const seconds = (performance.now() - t0) / 1000;
  // n objects paced at 1/qps span (n - 1)/qps seconds plus the last request's latency.
  const achieved = (count - 1) / seconds;
  // The namespace's deletion would otherwise overlap the density run and count in its API latencies.
  await client.delete(`/api/v1/namespaces/${ns}`);
  while (
    await client.get(`/api/v1/namespaces/${ns}`).then(
      () => true,
      () => false,
    )
  )
    await new Promise((r) => setTimeout(r, 500));
  return {
    requestedPerSecond: qps,
    objects: count,
    achievedPerSecond: +achieved.toFixed(2),
    errorPercent: +((100 * (achieved - qps)) / qps).toFixed(2),
  };
}

/** Runs `kubemark run density` as a child, sampling its CPU and RSS from /proc each second. */
async function densityRun(kubeconfig: string, reportDir: string) {
  const child = spawn(
    process.execPath,
    [
      KUBEMARK_BIN,
      "run",
      "density",
      "--kubeconfig",
      kubeconfig,
      "--report-dir",
      reportDir,
      "--set",
      `podsPerNode=${podsPerNode}`,
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  let maxRss = 0;
  let cpu = 0;
  const sampler = setInterval(async () => {
    try {
      const s = await sampleProcess(child.pid!);
      maxRss = Math.max(maxRss, s.rssBytes);
      cpu = s.cpuSeconds;
    } catch {
      // Exited between samples.
    }
  }, 1_000);
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  const file = (await readdir(reportDir)).find((f) =>
    f.startsWith("PodStartupLatency_PodStartupLatency_density_"),
  );
  const perf = file
    ? (JSON.parse(await readFile(path.join(reportDir, file), "utf8")) as {
        dataItems: { labels?: { Metric?: string }; data: Record<string, number> }[];
      })
    : undefined;
  const startup = perf?.dataItems.find((i) => i.labels?.Metric === "pod_startup")?.data;
  return {
    exitCode: code,
    seconds: +seconds.toFixed(1),
    podStartupMs: startup ? { p50: startup.Perc50, p90: startup.Perc90, p99: startup.Perc99 } : null,
    harnessCpuSeconds: +cpu.toFixed(2),
    harnessAverageMillicores: +((cpu / seconds) * 1000).toFixed(1),
    harnessMaxRssMiB: +(maxRss / 2 ** 20).toFixed(1),
  };
}

const home = await mkdtemp(path.join(os.tmpdir(), "kubemark-bench-"));
process.env.KUBEMARK_HOME = home;
const desc = await startLocalMaster({ name: "harness", extraArgs: BENCH_MASTER_ARGS });
try {
  const client = new KubeClient(await loadKubeconfig(desc.kubeconfig));
  const createRates = [];
  for (const qps of rates) {
    log(`create rate at ${qps}/s`);
    createRates.push(await createRate(client, qps));
  }
  client.close();
  log(`starting ${nodes} hollow nodes`);
  await startHollowNodes(desc, { count: nodes, timeoutMs: 600_000, log });
  log(`density at ${podsPerNode} pods per node`);
  const density = await densityRun(desc.kubeconfig, path.join(home, "report"));
  console.log(
    JSON.stringify(
      {
        benchmark: "harness",
        cpus: os.cpus().length,
        createRates,
        density: { nodes, podsPerNode, ...density },
      },
      null,
      2,
    ),
  );
} finally {
  await stopCluster(desc);
  await rm(home, { recursive: true, force: true });
}
