import type { KubeClient } from "../../src/client/kube-client.js";
import type { Pod } from "../../src/client/types.js";
import { isPodStarted, podInformer } from "../../src/measurements/pod-informer.js";
import { podStartupTimes } from "../../src/measurements/pod-startup-measurement.js";
import { PodStartupLatency } from "../../src/measurements/pod-startup.js";
import {
  createDensityDeployment,
  deleteDensityDeployment,
  rampDensityDeployment,
} from "../support/density.js";
import { sleep, waitFor } from "../support/wait.js";
import { requestDeltas, scrapeApiserver } from "./apiserver-load.js";
import {
  cpuOf,
  millicores,
  sampleProcesses,
  steadyRate,
  type CpuKind,
  type SteadyRate,
  type UsageSample,
} from "./process-usage.js";

const DEPLOYMENT = "density";
/** The master may take many minutes to run (and remove) tens of thousands of pods on two cores. */
const TIMEOUT_MS = 3_600_000;

export interface PodPhaseOptions {
  /** Create the pods at this pace (pods a second) instead of all at once. */
  podsPerSecond?: number;
  /** How long all the pods are held running, to measure what holding them costs; 30 s by default. */
  holdSeconds?: number;
  /**
   * Measure the peer's steady rate again for this long once the pods are gone. The rate the phase's CPU is
   * measured above then runs in a straight line from the steady rate before the phase to this one, as a
   * process's idle cost drifts with its age and the master's state; by default the rate before is kept.
   */
  afterSeconds?: number;
}

export interface PodPhaseResult {
  pods: number;
  /** The pace the pods were created at; absent when all were asked for at once. */
  podsPerSecond?: number;
  holdSeconds: number;
  secondsToAllRunning: number;
  /** From the Deployment's deletion to its last pod gone. */
  secondsDeleteToAllGone: number;
  /** ClusterLoader2's pod_startup: creation to first seen running with every container running. */
  podStartupMs: { p50: number; p90: number; p99: number };
  /**
   * The peer's CPU above its steady rate while the pods start (creation to all running) and while they
   * stop (deletion to the last one gone), per pod; the hold between the two is measured apart.
   */
  peerCpuMsPerPod: number;
  peerCpuMsPerPodStart: number;
  peerCpuMsPerPodStop: number;
  /**
   * Of peerCpuMsPerPod, what the kernel spent on the peer's behalf (system calls, TLS records through
   * loopback TCP, epoll), measured the same way above the steady kernel rate.
   */
  peerSystemCpuMsPerPod: number;
  /** The peer's CPU above its steady rate while all the pods run and nothing changes, per 1,000 pods. */
  heldMillicoresPer1000Pods: number;
  /** With `afterSeconds`: the steady rate once the pods are gone, and peerCpuMsPerPod above the rate before. */
  steadyAfter?: SteadyRate;
  peerCpuMsPerPodAboveBefore?: number;
  /**
   * Every request the master served from creation to deletion (the node side's, the controllers' and the
   * scheduler's, the same for every peer), per pod; WATCH is left out, as watches outlive the phase.
   */
  requestsPerPod: Record<string, number>;
}

/**
 * ClusterLoader2's density in one Deployment: podsPerNode x nodes pods created, all Running, then deleted
 * and gone; pod startup latency from the pods' own timestamps and our watch, as PodStartupLatency takes it.
 * With `podsPerSecond` the pods are created at that pace, so that the per-pod figures do not depend on how
 * fast the master can go; otherwise all are asked for at once.
 */
export async function podPhase(
  admin: KubeClient,
  pids: number[],
  total: number,
  steadyBefore: SteadyRate,
  { podsPerSecond, holdSeconds = 30, afterSeconds }: PodPhaseOptions = {},
): Promise<PodPhaseResult> {
  const latency = new PodStartupLatency();
  const started = new Set<string>();
  const seen = (pod: Pod) => {
    const uid = pod.metadata.uid!;
    if (started.has(uid) || !isPodStarted(pod)) return;
    started.add(uid);
    latency.add(podStartupTimes(pod, Date.now()));
  };
  const informer = podInformer(admin, `app=${DEPLOYMENT}`).on({ add: seen, update: seen });
  informer.start();
  try {
    await informer.synced;
    const [cpu0, api0] = await Promise.all([sampleProcesses(pids), scrapeApiserver(admin)]);
    if (podsPerSecond === undefined) await createDensityDeployment(admin, DEPLOYMENT, total);
    else {
      await createDensityDeployment(admin, DEPLOYMENT, 0);
      await rampDensityDeployment(admin, DEPLOYMENT, total, podsPerSecond);
    }
    await waitFor(`${total} pods running`, async () => started.size >= total, TIMEOUT_MS);
    const running = await sampleProcesses(pids);
    await sleep(holdSeconds * 1000);
    const held = await sampleProcesses(pids);
    await deleteDensityDeployment(admin, DEPLOYMENT);
    await waitFor("the density pods gone", async () => informer.size === 0, TIMEOUT_MS);
    const [cpu1, api1] = await Promise.all([sampleProcesses(pids), scrapeApiserver(admin)]);
    let steadyAfter: SteadyRate | undefined;
    if (afterSeconds !== undefined) {
      await sleep(afterSeconds * 1000);
      steadyAfter = steadyRate(cpu1, await sampleProcesses(pids));
    }
    /** The steady rate at a time in the phase: a straight line from the rate before to the rate after. */
    const steadyAt = (kind: CpuKind) => (atMs: number) =>
      steadyAfter === undefined
        ? steadyBefore[kind]
        : steadyBefore[kind] +
          ((steadyAfter[kind] - steadyBefore[kind]) * (atMs - cpu0.atMs)) / (cpu1.atMs - cpu0.atMs);
    const aboveSteady = (from: UsageSample, to: UsageSample, kind: CpuKind, rateAt = steadyAt(kind)) =>
      cpuOf(to, kind) -
      cpuOf(from, kind) -
      (rateAt((from.atMs + to.atMs) / 2) / 1000) * ((to.atMs - from.atMs) / 1000);
    const msPerPod = (cpuSeconds: number) => +((cpuSeconds * 1000) / total).toFixed(3);
    const start = aboveSteady(cpu0, running, "all");
    const stop = aboveSteady(held, cpu1, "all");
    const heldMillicores = millicores(running, held) - steadyAt("all")((running.atMs + held.atMs) / 2);
    const before = () => steadyBefore.all;
    const startup = latency.summarize().perfData.dataItems.find((i) => i.labels?.Metric === "pod_startup")!;
    return {
      pods: total,
      podsPerSecond,
      holdSeconds,
      secondsToAllRunning: +((running.atMs - cpu0.atMs) / 1000).toFixed(1),
      secondsDeleteToAllGone: +((cpu1.atMs - held.atMs) / 1000).toFixed(1),
      podStartupMs: {
        p50: Math.round(startup.data.Perc50!),
        p90: Math.round(startup.data.Perc90!),
        p99: Math.round(startup.data.Perc99!),
      },
      peerCpuMsPerPod: msPerPod(start + stop),
      peerCpuMsPerPodStart: msPerPod(start),
      peerCpuMsPerPodStop: msPerPod(stop),
      peerSystemCpuMsPerPod: msPerPod(
        aboveSteady(cpu0, running, "system") + aboveSteady(held, cpu1, "system"),
      ),
      heldMillicoresPer1000Pods: +((heldMillicores * 1000) / total).toFixed(2),
      ...(steadyAfter !== undefined && {
        steadyAfter,
        peerCpuMsPerPodAboveBefore: msPerPod(
          aboveSteady(cpu0, running, "all", before) + aboveSteady(held, cpu1, "all", before),
        ),
      }),
      requestsPerPod: Object.fromEntries(
        Object.entries(requestDeltas(api0, api1))
          .filter(([key]) => !key.startsWith("WATCH "))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, n]) => [key, +(n / total).toFixed(3)]),
      ),
    };
  } finally {
    informer.stop();
  }
}
