import type { DataItem, PerfData } from "../reports/perfdata.js";
import {
  histogramBuckets,
  labelSetKey,
  parsePrometheusText,
  type HistogramBucket,
  type HistogramSeries,
} from "./prometheus-text.js";

/** The API call latency SLI histogram (Kubernetes 1.26+), in seconds. */
export const API_CALL_SLI_HISTOGRAM = "apiserver_request_sli_duration_seconds";

const EXCLUDED_VERBS: ReadonlySet<string> = new Set(["WATCH", "WATCHLIST", "CONNECT"]);
const EXCLUDED_SUBRESOURCES: ReadonlySet<string> = new Set(["log", "exec", "portforward", "attach", "proxy"]);

/**
 * Prometheus' histogram_quantile for one series of cumulative buckets: the first bucket whose count reaches
 * q x total, interpolated linearly inside it from the previous bound (0 below the first); a rank in +Inf
 * gives the highest finite bound. NaN without a +Inf bucket, without a finite one, or with no observations.
 * Bounds must be distinct; counts are forced monotonic, as Prometheus does.
 */
export function histogramQuantile(q: number, buckets: readonly HistogramBucket[]): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside 0..1`);
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted.at(-1)!.le !== Infinity) return NaN;
  const counts = sorted.map((bucket) => bucket.count);
  for (let i = 1; i < counts.length; i++) counts[i] = Math.max(counts[i]!, counts[i - 1]!);
  const total = counts.at(-1)!;
  if (total === 0) return NaN;
  const rank = q * total;
  const last = sorted.length - 1;
  let b = 0;
  while (b < last && counts[b]! < rank) b++;
  if (b === last) return sorted[last - 1]!.le;
  if (b === 0 && sorted[0]!.le <= 0) return sorted[0]!.le;
  const lowerBound = b === 0 ? 0 : sorted[b - 1]!.le;
  const countBelow = b === 0 ? 0 : counts[b - 1]!;
  return lowerBound + (sorted[b]!.le - lowerBound) * ((rank - countBelow) / (counts[b]! - countBelow));
}

/** The labels the SLO is defined over; group, version and component are summed away. */
export interface ApiCallKey {
  resource: string;
  subresource: string;
  verb: string;
  scope: string;
}

export function isCoveredBySlo(call: ApiCallKey): boolean {
  return !EXCLUDED_VERBS.has(call.verb) && !EXCLUDED_SUBRESOURCES.has(call.subresource);
}

/** 30 s for LIST over a namespace or the cluster; 1 s for single-object reads and all mutations. */
export function sloThresholdSeconds(call: ApiCallKey): number {
  return call.verb === "LIST" && (call.scope === "namespace" || call.scope === "cluster") ? 30 : 1;
}

/**
 * Observations above the threshold, told by bucket bounds alone: the total minus the cumulative count of the
 * highest bound <= threshold. With a bound at the threshold (the SLI histogram has 1 and 30) this is
 * ClusterLoader2's `count - bucket{le="<threshold>"}`; otherwise it counts a straddling bucket as slow.
 */
export function slowCount(buckets: readonly HistogramBucket[], thresholdSeconds: number): number {
  let total = 0;
  let fast = 0;
  for (const bucket of buckets) {
    total = Math.max(total, bucket.count);
    if (bucket.le <= thresholdSeconds) fast = Math.max(fast, bucket.count);
  }
  return total - fast;
}

export interface ApiCallLatency extends ApiCallKey {
  /** Cumulative counts of the requests made between the two scrapes, sorted by bound. */
  buckets: HistogramBucket[];
  count: number;
  slowCount: number;
  thresholdSeconds: number;
  perc50Ms: number;
  perc90Ms: number;
  perc99Ms: number;
}

/**
 * Latencies of the API calls made between two scrapes of kube-apiserver /metrics: each raw series' bucket
 * counts at the end minus those at the start (a series absent at the start counts from zero; one with any
 * count lower at the end was reset, and its end counts are the delta), summed per ApiCallKey. Calls outside
 * the SLO and keys without requests are left out; the slowest p99 comes first, as ClusterLoader2 sorts.
 */
export function apiCallLatencies(startText: string, endText: string): ApiCallLatency[] {
  const startSeries = new Map(sliSeries(startText).map((series) => [labelSetKey(series.labels), series]));
  const summed = new Map<string, { key: ApiCallKey; countsByBound: Map<number, number> }>();
  for (const end of sliSeries(endText)) {
    const key: ApiCallKey = {
      resource: end.labels.resource ?? "",
      subresource: end.labels.subresource ?? "",
      verb: end.labels.verb ?? "",
      scope: end.labels.scope ?? "",
    };
    if (!isCoveredBySlo(key)) continue;
    let entry = summed.get(callKeyString(key));
    if (entry === undefined) {
      entry = { key, countsByBound: new Map() };
      summed.set(callKeyString(key), entry);
    }
    const startCounts = new Map(
      (startSeries.get(labelSetKey(end.labels))?.buckets ?? []).map((bucket) => [bucket.le, bucket.count]),
    );
    const reset = end.buckets.some((bucket) => bucket.count < (startCounts.get(bucket.le) ?? 0));
    for (const bucket of end.buckets) {
      const delta = reset ? bucket.count : bucket.count - (startCounts.get(bucket.le) ?? 0);
      entry.countsByBound.set(bucket.le, (entry.countsByBound.get(bucket.le) ?? 0) + delta);
    }
  }
  const calls: ApiCallLatency[] = [];
  for (const { key, countsByBound } of summed.values()) {
    const buckets = [...countsByBound].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
    const count = buckets.at(-1)?.le === Infinity ? buckets.at(-1)!.count : 0;
    if (count === 0) continue;
    const thresholdSeconds = sloThresholdSeconds(key);
    calls.push({
      ...key,
      buckets,
      count,
      slowCount: slowCount(buckets, thresholdSeconds),
      thresholdSeconds,
      perc50Ms: secondsToMs(histogramQuantile(0.5, buckets)),
      perc90Ms: secondsToMs(histogramQuantile(0.9, buckets)),
      perc99Ms: secondsToMs(histogramQuantile(0.99, buckets)),
    });
  }
  return calls.sort((a, b) => b.perc99Ms - a.perc99Ms || callKeyString(a).localeCompare(callKeyString(b)));
}

export interface ApiResponsivenessVerdict {
  pass: boolean;
  /** Calls whose p99 exceeds their threshold. */
  violations: ApiCallLatency[];
}

export interface ApiResponsivenessSummary {
  calls: ApiCallLatency[];
  perfData: PerfData;
  verdict: ApiResponsivenessVerdict;
}

export function apiResponsiveness(startText: string, endText: string): ApiResponsivenessSummary {
  const calls = apiCallLatencies(startText, endText);
  const violations = calls.filter((call) => call.perc99Ms > call.thresholdSeconds * 1000);
  return {
    calls,
    perfData: { version: "1.0", dataItems: calls.map(toDataItem) },
    verdict: { pass: violations.length === 0, violations },
  };
}

function toDataItem(call: ApiCallLatency): DataItem {
  return {
    data: { Perc50: call.perc50Ms, Perc90: call.perc90Ms, Perc99: call.perc99Ms },
    unit: "ms",
    labels: {
      Resource: call.resource,
      Subresource: call.subresource,
      Verb: call.verb,
      Scope: call.scope,
      Count: String(call.count),
      SlowCount: String(call.slowCount),
    },
  };
}

function sliSeries(text: string): HistogramSeries[] {
  const family = parsePrometheusText(text).get(API_CALL_SLI_HISTOGRAM);
  return family === undefined ? [] : histogramBuckets(family);
}

function callKeyString(call: ApiCallKey): string {
  return `${call.resource}|${call.subresource}|${call.verb}|${call.scope}`;
}

// Rounded to the nanosecond, the resolution of ClusterLoader2's time.Duration, which also drops float noise.
function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1e9) / 1e6;
}
