import type { DataItem, PerfData } from "../reports/perfdata.js";
import { SampleSeries } from "./percentile.js";

/**
 * One pod's milestones in epoch milliseconds. created, scheduled and running come from the API object
 * (creationTimestamp, the PodScheduled condition's lastTransitionTime, the latest container startedAt) and
 * so have whole-second resolution; watched is our clock when the watch first showed the pod Running with all
 * its containers running. ClusterLoader2 subtracts these as they are, and so does this.
 */
export interface PodStartupTimes {
  created: number;
  scheduled?: number;
  running?: number;
  watched?: number;
}

export const POD_STARTUP_PHASES = [
  "create_to_schedule",
  "schedule_to_run",
  "run_to_watch",
  "schedule_to_watch",
  "pod_startup",
] as const;

export type PodStartupPhase = (typeof POD_STARTUP_PHASES)[number];

const PHASE_SPANS: Record<PodStartupPhase, [keyof PodStartupTimes, keyof PodStartupTimes]> = {
  create_to_schedule: ["created", "scheduled"],
  schedule_to_run: ["scheduled", "running"],
  run_to_watch: ["running", "watched"],
  schedule_to_watch: ["scheduled", "watched"],
  pod_startup: ["created", "watched"],
};

/** The SLO: pod startup p99 <= 5 s. */
export const DEFAULT_POD_STARTUP_THRESHOLD_MS = 5_000;

/** ClusterLoader2 holds p50, p90 and p99 each to the threshold; with one threshold only p99 can fail it. */
export interface PodStartupVerdict {
  pass: boolean;
  perc99Ms: number;
  thresholdMs: number;
  /** Pods with both a creation and a watch time. */
  samples: number;
}

export interface PodStartupSummary {
  perfData: PerfData;
  verdict: PodStartupVerdict;
}

/** The PodStartupLatency measurement: one latency sample per phase per pod that reached both ends of it. */
export class PodStartupLatency {
  private readonly series = new Map<PodStartupPhase, SampleSeries>(
    POD_STARTUP_PHASES.map((phase) => [phase, new SampleSeries()]),
  );

  add(times: PodStartupTimes): void {
    for (const phase of POD_STARTUP_PHASES) {
      const [from, to] = PHASE_SPANS[phase];
      const start = times[from];
      const end = times[to];
      // Negative spans (clock skew, second truncation) are kept, as ClusterLoader2 keeps them.
      if (start !== undefined && end !== undefined) this.series.get(phase)!.add(end - start);
    }
  }

  /** Phases without samples report zeros, as ClusterLoader2's zero-valued LatencyMetric does. */
  summarize(thresholdMs = DEFAULT_POD_STARTUP_THRESHOLD_MS): PodStartupSummary {
    const dataItems = POD_STARTUP_PHASES.map((phase) => this.dataItem(phase));
    const startup = this.series.get("pod_startup")!;
    const perc99Ms = dataItems[POD_STARTUP_PHASES.indexOf("pod_startup")]!.data.Perc99!;
    return {
      perfData: { version: "1.0", dataItems },
      verdict: { pass: perc99Ms <= thresholdMs, perc99Ms, thresholdMs, samples: startup.count },
    };
  }

  private dataItem(phase: PodStartupPhase): DataItem {
    const series = this.series.get(phase)!;
    const [perc50, perc90, perc99] = series.count === 0 ? [0, 0, 0] : series.percentiles([50, 90, 99]);
    return {
      data: { Perc50: perc50!, Perc90: perc90!, Perc99: perc99! },
      unit: "ms",
      labels: { Metric: phase },
    };
  }
}
