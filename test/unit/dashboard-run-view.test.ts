import assert from "node:assert/strict";
import { test } from "node:test";
import { runView } from "../../src/dashboard/run-view.js";
import type { Run } from "../../src/dashboard/run-store.js";
import { apiCallSloMs, sloStatus } from "../../src/dashboard/slo.js";

test("API call SLOs: 1 s single object and mutating, 5 s namespace LIST, 30 s cluster LIST", () => {
  assert.equal(apiCallSloMs({ verb: "GET", scope: "resource" }), 1_000);
  assert.equal(apiCallSloMs({ verb: "PATCH", scope: "namespace" }), 1_000);
  assert.equal(apiCallSloMs({ verb: "LIST", scope: "namespace" }), 5_000);
  assert.equal(apiCallSloMs({ verb: "LIST", scope: "cluster" }), 30_000);
  assert.deepEqual(
    [100, 500, 1000, 1001].map((ms) => sloStatus(ms, 1000)),
    ["ok", "near", "near", "over"],
  );
});

const RUN: Run = {
  id: "abc",
  dir: "/reports/density-1",
  source: "summary",
  test: "density",
  start: "2026-08-07T16:16:53.000Z",
  nodes: 5,
  verdict: "pass",
  verdicts: [],
  metrics: [
    {
      name: "PodStartupLatency_PodStartupLatency",
      unit: "ms",
      labels: { Metric: "create_to_schedule" },
      data: { Perc50: 1, Perc90: 2, Perc99: 3 },
    },
    {
      name: "PodStartupLatency_PodStartupLatency",
      unit: "ms",
      labels: { Metric: "pod_startup" },
      data: { Perc50: 900, Perc90: 1100, Perc99: 1300 },
    },
    {
      name: "APIResponsiveness_APIResponsiveness",
      unit: "ms",
      labels: { Verb: "GET", Resource: "pods", Subresource: "", Scope: "resource", Count: "12" },
      data: { Perc50: 2, Perc90: 4, Perc99: 1500 },
    },
    {
      name: "APIResponsiveness_APIResponsiveness",
      unit: "ms",
      labels: { Verb: "LIST", Resource: "nodes", Subresource: "", Scope: "cluster", Count: "3" },
      data: { Perc50: 20, Perc90: 40, Perc99: 60 },
    },
    {
      name: "ResourceUsageSummary_ResourceUsageSummary",
      unit: "cores",
      labels: { Name: "etcd", Resource: "cpu" },
      data: { Perc99: 0.2 },
    },
  ],
  timeSeries: {
    ResourceUsageSummary: [
      { name: "etcd cpu", unit: "cores", points: [{ time: "2026-08-07T16:17:00.000Z", value: 0.1 }] },
      { name: "etcd rss", unit: "MiB", points: [{ time: "2026-08-07T16:17:00.000Z", value: 40 }] },
      { name: "kube-scheduler cpu", unit: "cores", points: [] },
    ],
    SchedulingThroughput: [
      {
        name: "scheduled pods per second",
        unit: "1/s",
        points: [{ time: "2026-08-07T16:17:00.000Z", value: 3 }],
      },
    ],
  },
};

test("the run view: pod startup phases, API calls slowest first with their SLO, charts by unit", () => {
  const view = runView(RUN, [
    { file: "/reports/density-1/notes.txt", reason: "foreign" },
    { file: "/reports/density-1/sub/x.json", reason: "elsewhere" },
  ]);
  assert.deepEqual(view.podStartup, [
    {
      name: "PodStartupLatency_PodStartupLatency",
      phases: [
        { phase: "create_to_schedule", data: { Perc50: 1, Perc90: 2, Perc99: 3 } },
        { phase: "pod_startup", data: { Perc50: 900, Perc90: 1100, Perc99: 1300 } },
      ],
    },
  ]);
  assert.deepEqual(
    view.apiCalls.map((c) => [c.verb, c.resource, c.scope, c.count, c.sloMs, c.status]),
    [
      ["GET", "pods", "resource", 12, 1000, "over"],
      ["LIST", "nodes", "cluster", 3, 30000, "ok"],
    ],
  );
  assert.deepEqual(
    view.timeCharts.map((c) => [c.title, c.series.map((s) => s.name)]),
    [
      ["Scheduling throughput (pods/s)", ["scheduled pods per second"]],
      ["Master CPU (cores)", ["etcd cpu"]],
      ["Master memory, RSS (MiB)", ["etcd rss"]],
    ],
  );
  assert.deepEqual(view.unreadable, [{ file: "/reports/density-1/notes.txt", reason: "foreign" }]);
  assert.equal("metrics" in view.run, false);
});
