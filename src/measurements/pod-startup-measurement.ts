import type { Informer } from "../client/informer.js";
import type { Pod } from "../client/types.js";
import type { Measurement, MeasurementContext, MeasurementResult } from "./measurement.js";
import { PodStartupLatency, type PodStartupTimes } from "./pod-startup.js";
import { isPodStarted, podInformer } from "./pod-informer.js";

// creationTimestamp has whole seconds, so a pod created just after start may carry an earlier second.
const TIMESTAMP_RESOLUTION_MS = 1000;

/** The milestones a pod's object records, and when we first saw it running. */
export function podStartupTimes(pod: Pod, watched: number): PodStartupTimes {
  const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "True");
  const startedAt = (pod.status?.containerStatuses ?? [])
    .map((s) => s.state?.running?.startedAt)
    .filter((t): t is string => t !== undefined)
    .map(Date.parse);
  return {
    created: Date.parse(pod.metadata.creationTimestamp!),
    ...(scheduled?.lastTransitionTime ? { scheduled: Date.parse(scheduled.lastTransitionTime) } : {}),
    ...(startedAt.length > 0 ? { running: Math.max(...startedAt) } : {}),
    watched,
  };
}

/** ClusterLoader2's PodStartupLatency: per pod created after start, from creation to seen running. */
export class PodStartupLatencyMeasurement implements Measurement {
  private informer?: Informer<Pod>;
  private startedAt = 0;
  /** By pod uid; recorded when first seen running, so pods deleted before gather still count. */
  private readonly times = new Map<string, PodStartupTimes>();

  constructor(
    private readonly identifier: string,
    private readonly labelSelector: string,
    private readonly thresholdMs: number,
    private readonly context: MeasurementContext,
  ) {}

  async start(): Promise<void> {
    this.startedAt = Date.now();
    const observe = (pod: Pod): void => this.observe(pod);
    this.informer = podInformer(this.context.client, this.labelSelector).on({
      add: observe,
      update: observe,
    });
    this.informer.start();
    await this.informer.synced;
  }

  async gather(): Promise<MeasurementResult> {
    this.informer?.stop();
    const latency = new PodStartupLatency();
    for (const times of this.times.values()) latency.add(times);
    const { perfData, verdict } = latency.summarize(this.thresholdMs);
    const within = verdict.pass ? "<=" : ">";
    return {
      perfData: [{ summary: "PodStartupLatency", data: perfData }],
      verdict: {
        name: this.identifier,
        pass: verdict.pass,
        message:
          verdict.samples === 0
            ? "no pods measured"
            : `pod_startup p99 ${verdict.perc99Ms} ms ${within} ${verdict.thresholdMs} ms over ${verdict.samples} pods`,
      },
    };
  }

  private observe(pod: Pod): void {
    const uid = pod.metadata.uid!;
    if (this.times.has(uid) || !this.context.namespaces.has(pod.metadata.namespace!)) return;
    if (Date.parse(pod.metadata.creationTimestamp!) < this.startedAt - TIMESTAMP_RESOLUTION_MS) return;
    if (isPodStarted(pod)) this.times.set(uid, podStartupTimes(pod, Date.now()));
  }
}
