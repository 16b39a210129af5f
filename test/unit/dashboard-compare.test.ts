import assert from "node:assert/strict";
import { test } from "node:test";
import { compareRuns } from "../../src/dashboard/compare.js";
import { metricSeries } from "../../src/dashboard/metric-series.js";
import type { Metric, Run } from "../../src/dashboard/run-store.js";

function run(id: string, start: string, metrics: Metric[], test = "density"): Run {
  return {
    id,
    test,
    start,
    metrics,
    dir: `/r/${id}`,
    source: "summary",
    verdict: "pass",
    verdicts: [],
    timeSeries: {},
  };
}

const latency = (perc99: number, count: string): Metric => ({
  name: "APIResponsiveness_APIResponsiveness",
  unit: "ms",
  labels: { Verb: "LIST", Resource: "pods", Scope: "namespace", Count: count },
  data: { Perc50: 10, Perc99: perc99 },
});
const throughput = (perc50: number): Metric => ({
  name: "SchedulingThroughput_SchedulingThroughput",
  unit: "1/s",
  labels: {},
  data: { Perc50: perc50 },
});

test("latency up by more than 10 % is a regression; request counts do not split the match", () => {
  const rows = compareRuns(run("a", "1", [latency(100, "40")]), run("b", "2", [latency(111, "52")]));
  assert.deepEqual(rows, [
    {
      metric: "APIResponsiveness_APIResponsiveness",
      labels: "Resource=pods, Scope=namespace, Verb=LIST",
      stat: "Perc50",
      unit: "ms",
      a: 10,
      b: 10,
      delta: 0,
      regression: false,
    },
    {
      metric: "APIResponsiveness_APIResponsiveness",
      labels: "Resource=pods, Scope=namespace, Verb=LIST",
      stat: "Perc99",
      unit: "ms",
      a: 100,
      b: 111,
      delta: 11,
      regression: true,
    },
  ]);
  const within = compareRuns(run("a", "1", [latency(100, "1")]), run("b", "2", [latency(110, "1")]));
  assert.equal(within.find((r) => r.stat === "Perc99")!.regression, false, "exactly 10 % is within");
});

test("throughput is a regression when it falls, not when it rises", () => {
  const [fell] = compareRuns(run("a", "1", [throughput(20)]), run("b", "2", [throughput(15)]));
  assert.equal(fell!.regression, true);
  const [rose] = compareRuns(run("a", "1", [throughput(20)]), run("b", "2", [throughput(40)]));
  assert.equal(rose!.regression, false);
  assert.equal(rose!.delta, 20);
});

test("a value only one run has is shown without a delta", () => {
  const rows = compareRuns(run("a", "1", [throughput(20)]), run("b", "2", []));
  assert.deepEqual(rows, [
    {
      metric: "SchedulingThroughput_SchedulingThroughput",
      labels: "",
      stat: "Perc50",
      unit: "1/s",
      a: 20,
      regression: false,
    },
  ]);
});

test("metric series follow each item over the runs of a test, oldest first", () => {
  const runs = [
    run("new", "2026-02-01T00:00:00.000Z", [latency(120, "9"), throughput(30)]),
    run("old", "2026-01-01T00:00:00.000Z", [latency(100, "7")]),
    run("other", "2026-01-15T00:00:00.000Z", [latency(90, "1")], "load"),
  ];
  const series = metricSeries(runs);
  assert.deepEqual(
    series.map((s) => [s.test, s.metric, s.points.map((p) => p.runId)]),
    [
      ["density", "APIResponsiveness_APIResponsiveness", ["old", "new"]],
      ["load", "APIResponsiveness_APIResponsiveness", ["other"]],
      ["density", "SchedulingThroughput_SchedulingThroughput", ["new"]],
    ],
  );
  assert.deepEqual(series[0]!.labels, { Resource: "pods", Scope: "namespace", Verb: "LIST" });
  assert.deepEqual(
    series[0]!.points.map((p) => p.data.Perc99),
    [100, 120],
  );
});
