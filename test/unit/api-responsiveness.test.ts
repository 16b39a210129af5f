import { test } from "node:test";
import assert from "node:assert/strict";
import {
  apiCallLatencies,
  apiResponsiveness,
  histogramQuantile,
  isCoveredBySlo,
  sloThresholdSeconds,
  slowCount,
} from "../../src/measurements/api-responsiveness.js";
import type { HistogramBucket } from "../../src/measurements/prometheus-text.js";

const EXAMPLE: HistogramBucket[] = [
  { le: 0.1, count: 50 },
  { le: 0.5, count: 90 },
  { le: 1, count: 99 },
  { le: Infinity, count: 100 },
];

test("histogramQuantile interpolates inside the first bucket reaching q x total", () => {
  assert.equal(histogramQuantile(0.5, EXAMPLE), 0.1); // rank 50 fills the first bucket: 0 + 0.1 x 50/50
  assert.equal(histogramQuantile(0.25, EXAMPLE), 0.05); // first bucket, from 0: 0.1 x 25/50
  assert.ok(Math.abs(histogramQuantile(0.7, EXAMPLE) - 0.3) < 1e-12); // 0.1 + 0.4 x (70-50)/(90-50)
  assert.equal(histogramQuantile(0.9, EXAMPLE), 0.5);
  assert.equal(histogramQuantile(0.99, EXAMPLE), 1); // 0.5 + 0.5 x (99-90)/(99-90)
});

test("histogramQuantile answers the highest finite bound for a rank in +Inf", () => {
  assert.equal(histogramQuantile(0.995, EXAMPLE), 1);
  assert.equal(histogramQuantile(1, EXAMPLE), 1);
});

test("histogramQuantile with one finite bucket interpolates from 0", () => {
  const single = [
    { le: 2, count: 4 },
    { le: Infinity, count: 4 },
  ];
  assert.equal(histogramQuantile(0.5, single), 1); // 2 x 2/4
  assert.equal(histogramQuantile(0.99, single), 1.98); // 2 x 3.96/4
});

test("histogramQuantile is NaN with no observations, no +Inf bucket or only +Inf", () => {
  assert.ok(Number.isNaN(histogramQuantile(0.5, [])));
  assert.ok(
    Number.isNaN(
      histogramQuantile(0.5, [
        { le: 1, count: 0 },
        { le: Infinity, count: 0 },
      ]),
    ),
  );
  assert.ok(
    Number.isNaN(
      histogramQuantile(0.5, [
        { le: 1, count: 3 },
        { le: 2, count: 4 },
      ]),
    ),
  );
  assert.ok(Number.isNaN(histogramQuantile(0.5, [{ le: Infinity, count: 7 }])));
});

test("histogramQuantile sorts its buckets and forces counts monotonic", () => {
  assert.equal(histogramQuantile(0.9, [...EXAMPLE].reverse()), 0.5);
  const dented = [
    { le: 0.1, count: 10 },
    { le: 0.5, count: 8 },
    { le: Infinity, count: 20 },
  ];
  assert.equal(histogramQuantile(0.5, dented), 0.1); // counts read as 10, 10, 20
  assert.equal(histogramQuantile(0.75, dented), 0.5);
  assert.throws(() => histogramQuantile(1.5, EXAMPLE), RangeError);
});

test("slowCount counts what lies above the highest bound <= threshold", () => {
  assert.equal(slowCount(EXAMPLE, 1), 1);
  assert.equal(slowCount(EXAMPLE, 0.5), 10);
  assert.equal(slowCount(EXAMPLE, 0.7), 10); // the 0.5..1 bucket straddles 0.7 and counts as slow
  assert.equal(slowCount(EXAMPLE, 0.05), 100);
});

test("SLO coverage and thresholds", () => {
  const call = (verb: string, scope: string, subresource = "") => ({
    resource: "pods",
    subresource,
    verb,
    scope,
  });
  assert.equal(sloThresholdSeconds(call("GET", "resource")), 1);
  assert.equal(sloThresholdSeconds(call("POST", "namespace")), 1);
  assert.equal(sloThresholdSeconds(call("DELETE", "resource")), 1);
  assert.equal(sloThresholdSeconds(call("LIST", "namespace")), 30);
  assert.equal(sloThresholdSeconds(call("LIST", "cluster")), 30);
  assert.equal(isCoveredBySlo(call("PATCH", "resource", "status")), true);
  for (const verb of ["WATCH", "WATCHLIST", "CONNECT"])
    assert.equal(isCoveredBySlo(call(verb, "namespace")), false);
  for (const sub of ["log", "exec", "portforward", "attach", "proxy"]) {
    assert.equal(isCoveredBySlo(call("GET", "resource", sub)), false);
  }
});

/** The SLI histogram's bounds, as kube-apiserver declares them. */
const BOUNDS = [
  ..."0.05 0.1 0.2 0.4 0.6 0.8 1 1.25 1.5 2 3 4 5 6 8 10 15 20 30 45 60".split(" ").map(Number),
  Infinity,
];

interface FixtureSeries {
  resource: string;
  verb: string;
  scope: string;
  subresource?: string;
  group?: string;
  /** Observations per bucket, keyed by upper bound; cumulated when rendered. */
  observations: Record<number, number>;
}

function scrape(series: FixtureSeries[]): string {
  const lines = [
    "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
    "# TYPE apiserver_request_total counter",
    'apiserver_request_total{code="200",component="apiserver",group="",resource="pods",scope="resource",subresource="",verb="GET",version="v1"} 98765',
    "# HELP apiserver_request_sli_duration_seconds [ALPHA] Response latency distribution (not counting webhook duration and priority & fairness queue wait times) in seconds for each verb, group, version, resource, subresource, scope and component.",
    "# TYPE apiserver_request_sli_duration_seconds histogram",
  ];
  for (const s of series) {
    const labels = `component="apiserver",group="${s.group ?? ""}",resource="${s.resource}",scope="${s.scope}",subresource="${s.subresource ?? ""}",verb="${s.verb}",version="v1"`;
    let cumulative = 0;
    let sum = 0;
    for (const bound of BOUNDS) {
      const observed = s.observations[bound] ?? 0;
      cumulative += observed;
      sum += observed * (bound === Infinity ? 120 : bound);
      const le = bound === Infinity ? "+Inf" : String(bound);
      lines.push(`apiserver_request_sli_duration_seconds_bucket{${labels},le="${le}"} ${cumulative}`);
    }
    lines.push(`apiserver_request_sli_duration_seconds_sum{${labels}} ${sum}`);
    lines.push(`apiserver_request_sli_duration_seconds_count{${labels}} ${cumulative}`);
  }
  return `${lines.join("\n")}\n`;
}

const WATCH_PODS: FixtureSeries = { resource: "pods", verb: "WATCH", scope: "namespace", observations: {} };
const GET_NODES = { resource: "nodes", verb: "GET", scope: "resource", observations: { 0.05: 42 } };

const START = scrape([
  { resource: "pods", verb: "GET", scope: "resource", observations: { 0.05: 100 } },
  { resource: "pods", verb: "LIST", scope: "namespace", observations: { 0.1: 10, 0.4: 10 } },
  // The apiserver restarts before the end scrape: its counts drop back.
  {
    resource: "pods",
    subresource: "status",
    verb: "PATCH",
    scope: "resource",
    observations: { 0.05: 1000, 0.1: 500 },
  },
  { ...WATCH_PODS, observations: { 60: 3, [Infinity]: 5 } },
  { resource: "pods", subresource: "log", verb: "GET", scope: "resource", observations: { 5: 1 } },
  { resource: "events", verb: "POST", scope: "namespace", observations: { 0.05: 10 } },
  GET_NODES,
]);

const END = scrape([
  {
    resource: "pods",
    verb: "GET",
    scope: "resource",
    observations: { 0.05: 600, 0.1: 400, 0.2: 80, 1.25: 20 },
  },
  { resource: "pods", verb: "LIST", scope: "namespace", observations: { 0.1: 10, 0.4: 20, 1.5: 20, 4: 10 } },
  // Absent at the start: it counts from zero.
  { resource: "pods", verb: "POST", scope: "namespace", observations: { 0.05: 2, 0.2: 2 } },
  {
    resource: "pods",
    subresource: "status",
    verb: "PATCH",
    scope: "resource",
    observations: { 0.05: 5, 0.1: 3, 0.2: 2 },
  },
  { ...WATCH_PODS, observations: { 60: 30, [Infinity]: 500 } },
  { resource: "pods", subresource: "log", verb: "GET", scope: "resource", observations: { 5: 1, 20: 9 } },
  // Core events and events.k8s.io events are one (resource, subresource, verb, scope).
  { resource: "events", verb: "POST", scope: "namespace", observations: { 0.05: 15 } },
  { resource: "events", group: "events.k8s.io", verb: "POST", scope: "namespace", observations: { 0.1: 5 } },
  GET_NODES,
]);

function labels(
  resource: string,
  subresource: string,
  verb: string,
  scope: string,
  count: number,
  slow: number,
) {
  return {
    Resource: resource,
    Subresource: subresource,
    Verb: verb,
    Scope: scope,
    Count: `${count}`,
    SlowCount: `${slow}`,
  };
}

test("API call latencies from two scrapes, as ClusterLoader2's PerfData items, slowest p99 first", () => {
  const { perfData } = apiResponsiveness(START, END);
  assert.equal(perfData.version, "1.0");
  assert.deepEqual(perfData.dataItems, [
    // Deltas 10 @0.4, 20 @1.5, 10 @4: p50 = 1.25 + 0.25 x 10/20; p99 = 3 + 1 x 9.6/10.
    {
      data: { Perc50: 1375, Perc90: 3600, Perc99: 3960 },
      unit: "ms",
      labels: labels("pods", "", "LIST", "namespace", 40, 0),
    },
    // Deltas 500 @0.05, 400 @0.1, 80 @0.2, 20 @1.25: p99 rank 990 is in 1..1.25: 1 + 0.25 x 10/20.
    {
      data: { Perc50: 50, Perc90: 100, Perc99: 1125 },
      unit: "ms",
      labels: labels("pods", "", "GET", "resource", 1000, 20),
    },
    // 2 @0.05, 2 @0.2: p90 = 0.1 + 0.1 x 1.6/2.
    {
      data: { Perc50: 50, Perc90: 180, Perc99: 198 },
      unit: "ms",
      labels: labels("pods", "", "POST", "namespace", 4, 0),
    },
    // Reset: the end counts 5 @0.05, 3 @0.1, 2 @0.2 are the delta; p99 = 0.1 + 0.1 x 1.9/2.
    {
      data: { Perc50: 50, Perc90: 150, Perc99: 195 },
      unit: "ms",
      labels: labels("pods", "status", "PATCH", "resource", 10, 0),
    },
    // 5 @0.05 from core, 5 @0.1 from events.k8s.io: p99 = 0.05 + 0.05 x 4.9/5.
    {
      data: { Perc50: 50, Perc90: 90, Perc99: 99 },
      unit: "ms",
      labels: labels("events", "", "POST", "namespace", 10, 0),
    },
  ]);
});

test("the verdict fails on each call whose p99 exceeds its threshold", () => {
  const { verdict } = apiResponsiveness(START, END);
  assert.equal(verdict.pass, false);
  assert.deepEqual(
    verdict.violations.map((call) => [call.verb, call.resource, call.perc99Ms, call.thresholdSeconds]),
    [["GET", "pods", 1125, 1]],
  );
});

test("the verdict passes when every p99 is within its threshold", () => {
  const end = scrape([
    {
      resource: "pods",
      verb: "GET",
      scope: "resource",
      observations: { 0.05: 600, 0.1: 400, 0.2: 80, 1: 20 },
    },
    { resource: "pods", verb: "LIST", scope: "namespace", observations: { 0.1: 10, 0.4: 10, 20: 30 } },
  ]);
  const { calls, verdict } = apiResponsiveness(START, end);
  assert.deepEqual(
    calls.map((call) => [call.verb, call.count, call.slowCount, call.perc99Ms]),
    [
      ["LIST", 30, 0, 19_950], // all 30 in 15..20: 15 + 5 x 29.7/30
      ["GET", 1000, 0, 900], // rank 990 in 0.8..1, which holds 20 above 980: 0.8 + 0.2 x 10/20
    ],
  );
  assert.equal(verdict.pass, true);
});

test("no requests between the scrapes, or no SLI histogram, give no items", () => {
  assert.deepEqual(apiCallLatencies(START, START), []);
  const none = apiResponsiveness(
    "",
    "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds 1.7e9\n",
  );
  assert.deepEqual(none.perfData.dataItems, []);
  assert.equal(none.verdict.pass, true);
});
