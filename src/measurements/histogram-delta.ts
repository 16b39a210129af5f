import { histogramBuckets, type HistogramBucket, type MetricFamily } from "./prometheus-text.js";

/**
 * The observations a histogram gained between two scrapes, summed over every series matching labelFilter:
 * per bound, the end count minus the start count. If any bound went down the process restarted, and the
 * end counts are the delta. Empty when the end scrape lacks the family.
 */
export function histogramDelta(
  start: Map<string, MetricFamily>,
  end: Map<string, MetricFamily>,
  metric: string,
  labelFilter: Record<string, string> = {},
): HistogramBucket[] {
  const endCounts = summedBuckets(end.get(metric), labelFilter);
  const startCounts = summedBuckets(start.get(metric), labelFilter);
  const reset = [...endCounts].some(([le, count]) => count < (startCounts.get(le) ?? 0));
  return [...endCounts]
    .map(([le, count]) => ({ le, count: reset ? count : count - (startCounts.get(le) ?? 0) }))
    .sort((a, b) => a.le - b.le);
}

function summedBuckets(
  family: MetricFamily | undefined,
  labelFilter: Record<string, string>,
): Map<number, number> {
  const counts = new Map<number, number>();
  if (family === undefined) return counts;
  for (const series of histogramBuckets(family, labelFilter))
    for (const { le, count } of series.buckets) counts.set(le, (counts.get(le) ?? 0) + count);
  return counts;
}
