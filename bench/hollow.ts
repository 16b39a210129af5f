/**
 * npm run bench:hollow — hollow nodes in one process against the local master: time to all Ready (and
 * when half, nine in ten and all of the nodes were registered, had a podCIDR, were Ready), steady-state
 * CPU and RSS per node, hollow CPU per pod lifecycle, and API requests per node per minute.
 * Prints JSON. Sizes and modes: BENCH_SIZES (default 100,500,1000), BENCH_MODES (fidelity,shared),
 * BENCH_STEADY_SECONDS (600), BENCH_PODS_PER_NODE (30), BENCH_POD_SIZES (sizes that also run pods; default all),
 * BENCH_HOLLOW_ARGS (extra `kubemark hollow-node` flags, e.g. "--batch-interval=200ms"), BENCH_POD_RATE (pods
 * created per second; by default all at once), BENCH_HOLD_SECONDS (all pods held Running; 30),
 * BENCH_AFTER_SECONDS (the steady state measured again once the pods are gone; 300).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { KubeClient } from "../src/client/kube-client.js";
import { loadKubeconfig } from "../src/client/kubeconfig.js";
import { startHollowNodes } from "../src/master/local-hollow-nodes.js";
import { startLocalMaster, stopCluster } from "../src/master/local-master.js";
import { parsePrometheusText } from "../src/measurements/prometheus-text.js";
import type { ClusterDescription } from "../src/master/cluster-state.js";
import { podPhase } from "./peers/pod-phase.js";
import { sampleProcesses, steadyRate, type SteadyRate } from "./peers/process-usage.js";
import { BENCH_MASTER_ARGS } from "./support/master-args.js";
import { requestName } from "./support/request-name.js";
import { StartTimeline } from "./support/start-timeline.js";
import { sleep } from "./support/wait.js";

const sizes = (process.env.BENCH_SIZES ?? "100,500,1000").split(",").map(Number);
const modes = (process.env.BENCH_MODES ?? "fidelity,shared").split(",");
/**
 * Ten minutes, so that the steady state holds a kubelet's periodic work: its watches end and are opened
 * again every 5-10 minutes, its node status is reported every 5. A shorter window leaves them out, and the
 * pod phase, which subtracts the steady rate, then counts them as the pods' cost.
 */
const steadySeconds = Number(process.env.BENCH_STEADY_SECONDS ?? 600);
const podsPerNode = Number(process.env.BENCH_PODS_PER_NODE ?? 30);
const hollowArgs = (process.env.BENCH_HOLLOW_ARGS ?? "").split(/\s+/).filter(Boolean);
/** A setting that must be a number above 0, or absent. */
function positiveSetting(name: string, unit: string): number | undefined {
  const text = process.env[name];
  if (!text) return undefined;
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${name} must be a number of ${unit} above 0, not "${text}"`);
  return value;
}
const podRate = positiveSetting("BENCH_POD_RATE", "pods per second");
const holdSeconds = positiveSetting("BENCH_HOLD_SECONDS", "seconds");
/**
 * A process's idle cost drifts with its age and the master's state (watches re-opened, heap grown), so the
 * pod phase's CPU is measured above a steady rate drawn from the rate before it to this one after it.
 */
const afterSeconds = positiveSetting("BENCH_AFTER_SECONDS", "seconds") ?? 300;
const podSizes = new Set((process.env.BENCH_POD_SIZES ?? sizes.join(",")).split(",").map(Number));
const log = (line: string) => process.stderr.write(`[bench:hollow] ${line}\n`);

async function hollowMetrics(desc: ClusterDescription): Promise<Map<string, number>> {
  const port = desc.hollowNodes!.processes[0].metricsPort;
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const family of parsePrometheusText(text).values()) {
    for (const s of family.samples) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      out.set(`${s.name}{${labels}}`, s.value);
    }
  }
  return out;
}

function requestsPerNodeMinute(
  before: Map<string, number>,
  after: Map<string, number>,
  nodes: number,
  seconds: number,
) {
  const out: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!key.startsWith("kubemark_hollow_api_requests_total{")) continue;
    const delta = value - (before.get(key) ?? 0);
    if (delta <= 0) continue;
    const m = /verb=(\w+),resource=([^,]*),subresource=([^,]*),code=(\d+)/.exec(key)!;
    // Refusals apart: under load the Node authorizer's 403s tell how far it lags behind the pods' binding.
    const name = requestName(m[1], m[2], m[3]) + (Number(m[4]) >= 400 ? ` ${m[4]}` : "");
    out[name] = (out[name] ?? 0) + delta;
  }
  for (const k of Object.keys(out)) out[k] = +((out[k] / nodes) * (60 / seconds)).toFixed(3);
  return out;
}

async function runOne(nodes: number, mode: string) {
  const name = `bench-${nodes}-${mode}`;
  const desc = await startLocalMaster({ name, extraArgs: BENCH_MASTER_ARGS });
  try {
    const timeline = new StartTimeline();
    const t0 = performance.now();
    await startHollowNodes(desc, {
      count: nodes,
      processes: 1,
      sharedWatch: mode === "shared",
      extraArgs: hollowArgs,
      timeoutMs: 600_000,
      log,
      onNode: timeline.seen,
    });
    const readySeconds = (performance.now() - t0) / 1000;
    const pid = desc.hollowNodes!.processes[0].pid;
    // Let registration settle (first status reports, podCIDRs) before measuring steady state.
    await sleep(15_000);
    const cpu0 = await sampleProcesses([pid]);
    const m0 = await hollowMetrics(desc);
    await sleep(steadySeconds * 1000);
    const cpu1 = await sampleProcesses([pid]);
    const m1 = await hollowMetrics(desc);
    const steady = steadyRate(cpu0, cpu1);
    const result: Record<string, unknown> = {
      nodes,
      mode,
      secondsToAllReady: +readySeconds.toFixed(1),
      startTimeline: timeline.summary(t0, nodes),
      steadyMillicoresPerNode: +(steady.all / nodes).toFixed(4),
      steadySystemMillicoresPerNode: +(steady.system / nodes).toFixed(4),
      rssKiBPerNode: +(cpu1.rssBytes / 1024 / nodes).toFixed(1),
      rssMiBProcess: +(cpu1.rssBytes / 2 ** 20).toFixed(1),
      watchesPerNode: +((m1.get("kubemark_hollow_watches{}") ?? 0) / nodes).toFixed(2),
      requestsPerNodePerMinute: requestsPerNodeMinute(m0, m1, nodes, steadySeconds),
    };
    if (podSizes.has(nodes) && podsPerNode > 0) result.pods = await hollowPodPhase(desc, nodes, pid, steady);
    return result;
  } finally {
    await stopCluster(desc);
    await rm(desc.stateDir, { recursive: true, force: true });
  }
}

/**
 * 30 pods per node created, Running, then deleted (the same phase as bench:peers). Progress is watched
 * through the API server, so the measured process is scraped only before and after.
 */
async function hollowPodPhase(desc: ClusterDescription, nodes: number, pid: number, steady: SteadyRate) {
  const admin = new KubeClient(await loadKubeconfig(desc.kubeconfig));
  try {
    const m0 = await hollowMetrics(desc);
    const phase = await podPhase(admin, [pid], nodes * podsPerNode, steady, {
      podsPerSecond: podRate,
      holdSeconds,
      afterSeconds,
    });
    const m1 = await hollowMetrics(desc);
    return {
      pods: phase.pods,
      podsPerSecond: phase.podsPerSecond,
      holdSeconds: phase.holdSeconds,
      secondsToAllRunning: phase.secondsToAllRunning,
      secondsDeleteToAllGone: phase.secondsDeleteToAllGone,
      podStartupMs: phase.podStartupMs,
      hollowCpuMsPerPodLifecycle: phase.peerCpuMsPerPod,
      hollowCpuMsPerPodStart: phase.peerCpuMsPerPodStart,
      hollowCpuMsPerPodStop: phase.peerCpuMsPerPodStop,
      hollowSystemCpuMsPerPodLifecycle: phase.peerSystemCpuMsPerPod,
      steadyAfterMillicoresPerNode: +(phase.steadyAfter!.all / nodes).toFixed(4),
      steadyAfterSystemMillicoresPerNode: +(phase.steadyAfter!.system / nodes).toFixed(4),
      hollowCpuMsPerPodLifecycleAboveSteadyBefore: phase.peerCpuMsPerPodAboveBefore,
      heldMillicoresPer1000Pods: phase.heldMillicoresPer1000Pods,
      requestsPerPod: Object.fromEntries(
        Object.entries(requestsPerNodeMinute(m0, m1, phase.pods, 60)).filter(([k]) =>
          /pods|serviceaccounts/.test(k),
        ),
      ),
    };
  } finally {
    admin.close();
  }
}

const home = await mkdtemp(path.join(os.tmpdir(), "kubemark-bench-"));
process.env.KUBEMARK_HOME = home;
const results = [];
try {
  for (const nodes of sizes) {
    for (const mode of modes) {
      log(`${nodes} nodes, ${mode} mode`);
      results.push(await runOne(nodes, mode));
      log(JSON.stringify(results.at(-1)));
    }
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
console.log(
  JSON.stringify(
    { benchmark: "hollow", cpus: os.cpus().length, steadySeconds, podsPerNode, hollowArgs, results },
    null,
    2,
  ),
);
