import path from "node:path";
import type { TimeSeries } from "../measurements/measurement.js";
import type { Run, Unreadable } from "./run-store.js";
import { apiCallSloMs, POD_STARTUP_SLO_MS, sloStatus, type SloStatus } from "./slo.js";

export type RunHeader = Omit<Run, "metrics" | "timeSeries">;

export interface PodStartupView {
  /** The PerfData metric, e.g. PodStartupLatency_SaturationPodStartupLatency. */
  name: string;
  /** One per phase (create_to_schedule .. pod_startup), with its Perc50/90/99 in ms. */
  phases: { phase: string; data: Record<string, number> }[];
}

export interface ApiCallView {
  resource: string;
  subresource: string;
  verb: string;
  scope: string;
  count?: number;
  data: Record<string, number>;
  sloMs: number;
  status: SloStatus;
}

export interface TimeChart {
  title: string;
  unit: string;
  series: TimeSeries[];
}

/** Everything the run page shows, computed here so the browser only draws it. */
export interface RunView {
  run: RunHeader;
  podStartup: PodStartupView[];
  podStartupSloMs: number;
  /** Slowest p99 first. */
  apiCalls: ApiCallView[];
  timeCharts: TimeChart[];
  /** Files of the run's directory that could not be read. */
  unreadable: Unreadable[];
}

/** The series kubemark's measurements sample, by unit, in the order the page shows them. */
const TIME_CHART_TITLES: Record<string, string> = {
  "1/s": "Scheduling throughput (pods/s)",
  cores: "Master CPU (cores)",
  MiB: "Master memory, RSS (MiB)",
};

export function runView(run: Run, unreadable: readonly Unreadable[]): RunView {
  const { metrics, timeSeries, ...header } = run;
  const podStartup = new Map<string, PodStartupView>();
  const apiCalls: ApiCallView[] = [];
  for (const metric of metrics) {
    const { labels } = metric;
    if (metric.name.startsWith("PodStartupLatency") && labels.Metric !== undefined) {
      const view = podStartup.get(metric.name) ?? { name: metric.name, phases: [] };
      view.phases.push({ phase: labels.Metric, data: metric.data });
      podStartup.set(metric.name, view);
    } else if (labels.Verb !== undefined && labels.Resource !== undefined && metric.unit === "ms") {
      const call = {
        resource: labels.Resource,
        subresource: labels.Subresource ?? "",
        verb: labels.Verb,
        scope: labels.Scope ?? "",
      };
      const sloMs = apiCallSloMs(call);
      apiCalls.push({
        ...call,
        ...(labels.Count !== undefined ? { count: Number(labels.Count) } : {}),
        data: metric.data,
        sloMs,
        status: sloStatus(metric.data.Perc99 ?? 0, sloMs),
      });
    }
  }
  apiCalls.sort((a, b) => (b.data.Perc99 ?? 0) - (a.data.Perc99 ?? 0));
  return {
    run: header,
    podStartup: [...podStartup.values()],
    podStartupSloMs: POD_STARTUP_SLO_MS,
    apiCalls,
    timeCharts: timeCharts(Object.values(timeSeries).flat()),
    unreadable: unreadable.filter((u) => path.dirname(u.file) === run.dir),
  };
}

function timeCharts(all: TimeSeries[]): TimeChart[] {
  const series = all.filter((s) => s.points.length > 0);
  const known = Object.keys(TIME_CHART_TITLES);
  const others = [...new Set(series.map((s) => s.unit))].filter((unit) => !known.includes(unit)).sort();
  return [...known, ...others]
    .map((unit) => ({
      title: TIME_CHART_TITLES[unit] ?? unit,
      unit,
      series: series.filter((s) => s.unit === unit),
    }))
    .filter((chart) => chart.series.length > 0);
}
