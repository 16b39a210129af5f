import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { perfDataFileName, writePerfData, type PerfData } from "../../src/reports/perfdata.js";

const TIME = new Date("2026-08-07T16:16:53.789Z");

const PERF_DATA: PerfData = {
  version: "1.0",
  dataItems: [
    {
      data: { Perc50: 1510.2, Perc90: 2201.5, Perc99: 3120.9 },
      unit: "ms",
      labels: { Metric: "pod_startup" },
    },
  ],
};

test("the file name is Summary_Identifier_test_time with RFC 3339 UTC whole seconds", () => {
  assert.equal(
    perfDataFileName("PodStartupLatency", "PodStartupLatency", "density", TIME),
    "PodStartupLatency_PodStartupLatency_density_2026-08-07T16:16:53Z.json",
  );
  assert.equal(
    perfDataFileName("APIResponsivenessPrometheus", "load", "load", new Date("2026-08-07T18:16:53+02:00")),
    "APIResponsivenessPrometheus_load_load_2026-08-07T16:16:53Z.json",
  );
});

test("a file name part that is empty or holds a path separator is refused", () => {
  assert.throws(() => perfDataFileName("", "x", "density", TIME));
  assert.throws(() => perfDataFileName("PodStartupLatency", "../x", "density", TIME));
  assert.throws(() => perfDataFileName("PodStartupLatency", "x", "a\\b", TIME));
});

test("writePerfData creates the directory and writes pretty JSON", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "perfdata-"));
  try {
    const dir = path.join(root, "reports", "run-1");
    const file = await writePerfData(
      dir,
      "PodStartupLatency",
      "PodStartupLatency",
      "density",
      TIME,
      PERF_DATA,
    );
    assert.equal(
      file,
      path.join(dir, "PodStartupLatency_PodStartupLatency_density_2026-08-07T16:16:53Z.json"),
    );
    const text = await readFile(file, "utf8");
    assert.deepEqual(JSON.parse(text), PERF_DATA);
    assert.match(text, /^\{\n {2}"version": "1\.0",\n {2}"dataItems": \[\n/);
    assert.ok(text.endsWith("}\n"));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("writePerfData refuses values JSON would turn into null", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "perfdata-"));
  try {
    const bad: PerfData = { version: "1.0", dataItems: [{ data: { Perc99: NaN }, unit: "ms" }] };
    await assert.rejects(writePerfData(root, "S", "I", "t", TIME, bad), RangeError);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
