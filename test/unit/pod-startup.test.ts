import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_POD_STARTUP_THRESHOLD_MS,
  POD_STARTUP_PHASES,
  PodStartupLatency,
} from "../../src/measurements/pod-startup.js";
import type { DataItem } from "../../src/reports/perfdata.js";

// Whole seconds, as the API server stamps objects.
const T = Date.parse("2026-08-07T16:00:00Z");

function item(phase: string, perc50: number, perc90: number, perc99: number): DataItem {
  return { data: { Perc50: perc50, Perc90: perc90, Perc99: perc99 }, unit: "ms", labels: { Metric: phase } };
}

/** Ten pods scheduled after 1 s, started after 2 s and seen by the watch 100..1000 ms later. */
function tenPods(): PodStartupLatency {
  const latency = new PodStartupLatency();
  for (let i = 1; i <= 10; i++) {
    latency.add({ created: T, scheduled: T + 1_000, running: T + 2_000, watched: T + 2_000 + i * 100 });
  }
  return latency;
}

test("each phase gets nearest-rank percentiles in ms, in ClusterLoader2's phase names", () => {
  const { perfData } = tenPods().summarize();
  assert.equal(perfData.version, "1.0");
  assert.deepEqual(perfData.dataItems, [
    item("create_to_schedule", 1_000, 1_000, 1_000),
    item("schedule_to_run", 1_000, 1_000, 1_000),
    item("run_to_watch", 500, 900, 1_000),
    item("schedule_to_watch", 1_500, 1_900, 2_000),
    item("pod_startup", 2_500, 2_900, 3_000),
  ]);
});

test("a pod counts only in the phases whose both ends it reached", () => {
  const latency = tenPods();
  latency.add({ created: T });
  latency.add({ created: T, scheduled: T + 3_000 });
  const { perfData, verdict } = latency.summarize();
  // create_to_schedule now has eleven samples: ten of 1 s and one of 3 s; p99's rank is ceil(10.89) = 11.
  assert.deepEqual(perfData.dataItems[0], item("create_to_schedule", 1_000, 1_000, 3_000));
  assert.deepEqual(perfData.dataItems[4], item("pod_startup", 2_500, 2_900, 3_000));
  assert.equal(verdict.samples, 10);
});

test("the verdict compares pod_startup p99 with the threshold, 5 s by default", () => {
  assert.equal(DEFAULT_POD_STARTUP_THRESHOLD_MS, 5_000);
  assert.deepEqual(tenPods().summarize().verdict, {
    pass: true,
    perc99Ms: 3_000,
    thresholdMs: 5_000,
    samples: 10,
  });
  assert.equal(tenPods().summarize(3_000).verdict.pass, true);
  assert.deepEqual(tenPods().summarize(2_999).verdict, {
    pass: false,
    perc99Ms: 3_000,
    thresholdMs: 2_999,
    samples: 10,
  });
});

test("one slow pod in a hundred fails the SLO only once it reaches p99's rank", () => {
  const latency = new PodStartupLatency();
  for (let i = 0; i < 99; i++) latency.add({ created: T, watched: T + 1_200 });
  latency.add({ created: T, watched: T + 9_000 });
  assert.equal(latency.summarize().verdict.pass, true);
  latency.add({ created: T, watched: T + 9_000 });
  const { verdict } = latency.summarize();
  assert.equal(verdict.perc99Ms, 9_000);
  assert.equal(verdict.pass, false);
});

test("spans are taken as they are, negative ones included", () => {
  const latency = new PodStartupLatency();
  // startedAt is truncated to the second but our clock may lag the node's: the watch seems to precede it.
  latency.add({ created: T, scheduled: T, running: T + 2_000, watched: T + 1_750 });
  const runToWatch = latency.summarize().perfData.dataItems[2]!;
  assert.deepEqual(runToWatch, item("run_to_watch", -250, -250, -250));
});

test("with no pods every phase reports zeros and the verdict passes, as in ClusterLoader2", () => {
  const { perfData, verdict } = new PodStartupLatency().summarize();
  assert.deepEqual(
    perfData.dataItems,
    POD_STARTUP_PHASES.map((phase) => item(phase, 0, 0, 0)),
  );
  assert.deepEqual(verdict, { pass: true, perc99Ms: 0, thresholdMs: 5_000, samples: 0 });
});
