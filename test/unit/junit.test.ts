import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { renderJUnit, writeJUnit, type JUnitCase } from "../../src/reports/junit.js";

const CASES: JUnitCase[] = [
  { name: "PodStartupLatency", timeSeconds: 61.5 },
  {
    name: 'APIResponsiveness <GET pods> & "friends"',
    className: "ClusterLoaderV2",
    timeSeconds: 0.25,
    failure: { message: "p99 1125 ms > 1 s\nfor 'GET pods'", details: "\u001b[31mslow\u001b[0m ]]> <b>" },
  },
];

test("renders testsuites with one testsuite, counts, times and escaped text", () => {
  assert.equal(
    renderJUnit("kubemark density", CASES),
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites tests="2" failures="1" errors="0" time="61.750">',
      '  <testsuite name="kubemark density" tests="2" failures="1" errors="0" time="61.750">',
      '    <testcase name="PodStartupLatency" classname="kubemark density" time="61.500"/>',
      '    <testcase name="APIResponsiveness &lt;GET pods&gt; &amp; &quot;friends&quot;" classname="ClusterLoaderV2" time="0.250">',
      '      <failure message="p99 1125 ms &gt; 1 s&#10;for &apos;GET pods&apos;">\uFFFD[31mslow\uFFFD[0m ]]&gt; &lt;b&gt;</failure>',
      "    </testcase>",
      "  </testsuite>",
      "</testsuites>",
      "",
    ].join("\n"),
  );
});

test("a failure without details repeats its message as the body", () => {
  const xml = renderJUnit("s", [{ name: "n", timeSeconds: 1, failure: { message: "a < b" } }]);
  assert.match(xml, /<failure message="a &lt; b">a &lt; b<\/failure>/);
});

test("an empty suite is still a valid report", () => {
  assert.match(renderJUnit("s", []), /<testsuites tests="0" failures="0" errors="0" time="0.000">/);
});

test("a time that is not a duration is refused", () => {
  assert.throws(() => renderJUnit("s", [{ name: "n", timeSeconds: -1 }]), RangeError);
  assert.throws(() => renderJUnit("s", [{ name: "n", timeSeconds: NaN }]), RangeError);
});

test("writeJUnit creates the directory and writes the rendered report", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "junit-"));
  try {
    const file = path.join(root, "artifacts", "junit.xml");
    await writeJUnit(file, "kubemark density", CASES);
    assert.equal(await readFile(file, "utf8"), renderJUnit("kubemark density", CASES));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
