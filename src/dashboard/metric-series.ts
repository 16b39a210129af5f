import { identityLabels, metricLabels } from "./compare.js";
import type { Run } from "./run-store.js";

/** One metric item followed over the runs of one test: a perfdash chart. */
export interface MetricSeries {
  test: string;
  metric: string;
  unit: string;
  /** Identity labels, for the label filters. */
  labels: Record<string, string>;
  /** Oldest first. */
  points: { runId: string; start: string; data: Record<string, number> }[];
}

/** Groups every run's metric items by test, metric name and identity labels. */
export function metricSeries(runs: readonly Run[]): MetricSeries[] {
  const byKey = new Map<string, MetricSeries>();
  const oldestFirst = [...runs].sort((a, b) => a.start.localeCompare(b.start));
  for (const run of oldestFirst) {
    for (const metric of run.metrics) {
      const key = `${run.test}\0${metric.name}\0${metricLabels(metric)}`;
      let series = byKey.get(key);
      if (!series) {
        const labels = identityLabels(metric);
        series = { test: run.test, metric: metric.name, unit: metric.unit, labels, points: [] };
        byKey.set(key, series);
      }
      series.points.push({ runId: run.id, start: run.start, data: metric.data });
    }
  }
  return [...byKey.values()];
}
