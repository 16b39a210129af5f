import assert from "node:assert/strict";
import { test } from "node:test";
import { junitVerdicts } from "../../src/dashboard/junit-verdicts.js";
import { parsePerfDataItems, parsePerfDataName } from "../../src/dashboard/perfdata-file.js";
import { renderJUnit } from "../../src/reports/junit.js";
import { perfDataFileName } from "../../src/reports/perfdata.js";

test("PerfData names: ours and ClusterLoader2's, with Z or an offset", () => {
  const ours = perfDataFileName(
    "PodStartupLatency",
    "Saturation",
    "density",
    new Date("2026-08-07T16:16:53Z"),
  );
  assert.deepEqual(parsePerfDataName(ours), {
    metric: "PodStartupLatency_Saturation",
    test: "density",
    time: "2026-08-07T16:16:53.000Z",
  });
  assert.deepEqual(parsePerfDataName("APIResponsivenessPrometheus_load_2026-08-07T18:16:53+02:00.json"), {
    metric: "APIResponsivenessPrometheus",
    test: "load",
    time: "2026-08-07T16:16:53.000Z",
  });
  for (const name of [
    "summary.json",
    "density_2026-08-07T16:16:53Z.json",
    "PodStartupLatency_density_2026-13-45T16:16:53Z.json",
    "PodStartupLatency_density_2026-08-07T16:16:53Z.txt",
  ])
    assert.equal(parsePerfDataName(name), undefined, name);
});

test("PerfData items: any version, labels optional; the first fault is named", () => {
  const items = parsePerfDataItems(
    JSON.stringify({ version: "v1", dataItems: [{ data: { Perc50: 1, Perc99: 2.5 }, unit: "ms" }] }),
  );
  assert.deepEqual(items, [{ data: { Perc50: 1, Perc99: 2.5 }, unit: "ms", labels: {} }]);
  const fault = (doc: string) => (parsePerfDataItems(doc) as Error).message;
  assert.match(fault("{ not json"), /^invalid JSON: /);
  assert.equal(fault(JSON.stringify({ items: [] })), "not PerfData: no dataItems array");
  assert.equal(
    fault(JSON.stringify({ dataItems: [{ data: { Perc50: "1" }, unit: "ms" }] })),
    "not PerfData: dataItems[0].data.Perc50 is not a number",
  );
  assert.equal(
    fault(JSON.stringify({ dataItems: [{ data: {}, unit: "ms", labels: { Count: 3 } }] })),
    "not PerfData: dataItems[0].labels is not a map of strings",
  );
  assert.equal(
    fault(JSON.stringify({ dataItems: [{ data: {} }] })),
    "not PerfData: dataItems[0].unit is not a string",
  );
});

test("junit verdicts read what renderJUnit writes, escapes undone", () => {
  const xml = renderJUnit("density", [
    { name: "PodStartupLatency", timeSeconds: 1 },
    {
      name: "APIResponsiveness",
      timeSeconds: 2,
      failure: { message: 'p99 1200 ms > 1000 ms for "LIST" <pods>' },
    },
  ]);
  assert.deepEqual(junitVerdicts(xml), [
    { name: "PodStartupLatency", pass: true, message: "passed" },
    { name: "APIResponsiveness", pass: false, message: 'p99 1200 ms > 1000 ms for "LIST" <pods>' },
  ]);
});

test("junit verdicts read Go's numeric references, as ClusterLoader2 writes them", () => {
  const xml =
    '<testsuite><testcase name="Load"><failure message="a&#34;b&#xA;c">x</failure></testcase></testsuite>';
  assert.deepEqual(junitVerdicts(xml), [{ name: "Load", pass: false, message: 'a"b\nc' }]);
});
