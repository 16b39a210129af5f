import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { loadRuns, type RunStore } from "../../src/dashboard/run-store.js";
import { renderJUnit } from "../../src/reports/junit.js";
import { removeTempDir, tempDir } from "../support/cli.js";

const perfData = (items: object[]) => JSON.stringify({ version: "v1", dataItems: items });
const STARTUP = perfData([
  { data: { Perc50: 900, Perc90: 1500, Perc99: 2100 }, unit: "ms", labels: { Metric: "pod_startup" } },
]);

let root: string;
let store: RunStore;

/** A report dir as kubemark run leaves it, one as ClusterLoader2 does, and one with broken files. */
before(async () => {
  root = await tempDir("dashboard-store-");
  const ours = path.join(root, "density-1");
  await mkdir(ours);
  await writeFile(
    path.join(ours, "summary.json"),
    JSON.stringify({
      experiment: "density",
      nodes: 5,
      kubernetesVersion: "v1.37.2",
      start: "2026-08-07T16:16:53.123Z",
      verdicts: [{ name: "PodStartupLatency", pass: true, message: "ok", timeSeconds: 3 }],
      timeSeries: { SchedulingThroughput: [{ name: "scheduled pods per second", unit: "1/s", points: [] }] },
    }),
  );
  await writeFile(
    path.join(ours, "PodStartupLatency_PodStartupLatency_density_2026-08-07T16:16:53Z.json"),
    STARTUP,
  );
  await writeFile(path.join(ours, "junit.xml"), renderJUnit("density", []));
  await writeFile(path.join(ours, "report.html"), "<!doctype html>");

  const cl2 = path.join(root, "cl2", "artifacts");
  await mkdir(cl2, { recursive: true });
  await writeFile(path.join(cl2, "PodStartupLatency_load_2026-08-01T10:05:00Z.json"), STARTUP);
  await writeFile(
    path.join(cl2, "APIResponsivenessPrometheus_load_2026-08-01T10:00:00Z.json"),
    perfData([
      { data: { Perc50: 5, Perc90: 9, Perc99: 20 }, unit: "ms", labels: { Verb: "GET", Resource: "pods" } },
    ]),
  );
  await writeFile(
    path.join(cl2, "junit.xml"),
    renderJUnit("ClusterLoaderV2", [{ name: "load", timeSeconds: 1, failure: { message: "slow" } }]),
  );

  const broken = path.join(root, "broken");
  await mkdir(broken);
  await writeFile(path.join(broken, "summary.json"), "{ truncated");
  await writeFile(
    path.join(broken, "PodStartupLatency_PodStartupLatency_density_2026-08-02T00:00:00Z.json"),
    STARTUP,
  );
  await writeFile(
    path.join(broken, "PodStartupLatency_Other_density_2026-08-02T00:00:00Z.json"),
    '{"dataItems": 3}',
  );
  await writeFile(path.join(broken, "notes.txt"), "not a metric");
  await writeFile(path.join(broken, ".hidden"), "skipped");

  store = await loadRuns([root]);
});

after(() => removeTempDir(root));

test("a kubemark run: its summary, its PerfData, newest first", () => {
  const run = store.runs.find((r) => r.dir === path.join(root, "density-1"))!;
  assert.equal(store.runs[0], run);
  assert.equal(run.source, "summary");
  assert.equal(run.test, "density");
  assert.equal(run.start, "2026-08-07T16:16:53.123Z");
  assert.equal(run.nodes, 5);
  assert.equal(run.kubernetesVersion, "v1.37.2");
  assert.equal(run.verdict, "pass");
  assert.deepEqual(run.metrics, [
    {
      name: "PodStartupLatency_PodStartupLatency",
      unit: "ms",
      labels: { Metric: "pod_startup" },
      data: { Perc50: 900, Perc90: 1500, Perc99: 2100 },
    },
  ]);
  assert.deepEqual(Object.keys(run.timeSeries), ["SchedulingThroughput"]);
  assert.match(run.id, /^[0-9a-f]{12}$/);
});

test("a ClusterLoader2 dir: one run per test, started at its first file, verdict from junit.xml", () => {
  const run = store.runs.find((r) => r.test === "load")!;
  assert.equal(run.source, "perfdata");
  assert.equal(run.start, "2026-08-01T10:00:00.000Z");
  assert.equal(run.verdict, "fail");
  assert.deepEqual(run.verdicts, [{ name: "load", pass: false, message: "slow" }]);
  assert.deepEqual(run.metrics.map((m) => m.name).sort(), [
    "APIResponsivenessPrometheus",
    "PodStartupLatency",
  ]);
  assert.equal(run.nodes, undefined);
});

test("corrupt and foreign files are listed with the reason; the rest of their dir still shows", () => {
  const broken = path.join(root, "broken");
  assert.deepEqual(
    store.unreadable.map((u) => [path.relative(root, u.file), u.reason.replace(/:.*/s, ":")]).sort(),
    [
      ["broken/PodStartupLatency_Other_density_2026-08-02T00:00:00Z.json", "not PerfData:"],
      ["broken/notes.txt", "not a kubemark or ClusterLoader2 artifact:"],
      ["broken/summary.json", "invalid JSON:"],
    ],
  );
  const run = store.runs.find((r) => r.dir === broken)!;
  assert.equal(run.source, "perfdata");
  assert.equal(run.verdict, "unknown");
  assert.equal(run.metrics.length, 1);
  assert.equal(store.runs.length, 3);
});

test("ids are stable across loads and differ between runs", async () => {
  const again = await loadRuns([root]);
  assert.deepEqual(
    again.runs.map((r) => r.id),
    store.runs.map((r) => r.id),
  );
  assert.equal(new Set(store.runs.map((r) => r.id)).size, store.runs.length);
});
