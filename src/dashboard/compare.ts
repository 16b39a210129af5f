import type { Metric, Run } from "./run-store.js";

/** Labels that carry values (request counts), not identity: two runs' items match without them. */
const VALUE_LABELS = new Set(["Count", "SlowCount"]);

/** Worse by more than this fraction of the first run's value is a regression. */
export const REGRESSION_FRACTION = 0.1;

export interface MetricDelta {
  metric: string;
  /** The identity labels, as "Key=value" joined by ", ". */
  labels: string;
  stat: string;
  unit: string;
  a?: number;
  b?: number;
  /** b - a, when both runs have the value. */
  delta?: number;
  regression: boolean;
}

/** The labels that tell a metric item from its siblings, sorted by key. */
export function identityLabels(metric: Metric): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metric.labels)
      .filter(([key]) => !VALUE_LABELS.has(key))
      .sort(([x], [y]) => x.localeCompare(y)),
  );
}

/** A metric item's identity labels as text, which with its name matches it across runs. */
export function metricLabels(metric: Metric): string {
  return Object.entries(identityLabels(metric))
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
}

/** Throughputs (per second) are better higher; latencies, CPU and memory are better lower. */
export function higherIsBetter(metric: string, unit: string): boolean {
  return unit === "1/s" || /throughput/i.test(metric);
}

/** Every statistic of every metric item in either run, side by side, in the runs' own order. */
export function compareRuns(a: Run, b: Run): MetricDelta[] {
  const rows = new Map<string, MetricDelta>();
  const add = (metric: Metric, side: "a" | "b") => {
    const labels = metricLabels(metric);
    for (const [stat, value] of Object.entries(metric.data)) {
      const key = `${metric.name}\0${labels}\0${stat}`;
      let row = rows.get(key);
      if (!row) {
        row = { metric: metric.name, labels, stat, unit: metric.unit, regression: false };
        rows.set(key, row);
      }
      row[side] = value;
    }
  };
  for (const metric of a.metrics) add(metric, "a");
  for (const metric of b.metrics) add(metric, "b");
  for (const row of rows.values()) {
    if (row.a === undefined || row.b === undefined) continue;
    row.delta = row.b - row.a;
    const worsening = higherIsBetter(row.metric, row.unit) ? -row.delta : row.delta;
    row.regression = worsening > Math.abs(row.a) * REGRESSION_FRACTION && worsening > 0;
  }
  return [...rows.values()];
}
