import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { writeRunReport } from "../../src/dashboard/report.js";

const made: string[] = [];
const tempDir = async (prefix: string) => {
  made.push(await mkdtemp(path.join(os.tmpdir(), prefix)));
  return made.at(-1)!;
};
after(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

test("the report is one file: no external reference, the run data inline and escaped", async () => {
  const dir = await tempDir("dashboard-report-");
  await writeFile(
    path.join(dir, "summary.json"),
    JSON.stringify({
      experiment: "density",
      start: "2026-08-07T16:16:53.000Z",
      verdicts: [{ name: "PodStartupLatency", pass: false, message: "</script><script>alert(1)</script>" }],
    }),
  );
  const { file, view } = await writeRunReport(dir);
  assert.equal(file, path.join(dir, "report.html"));
  assert.equal(view.run.verdict, "fail");
  const html = await readFile(file, "utf8");
  assert.doesNotMatch(
    html,
    /<(?:script|link|img)\b[^>]*\b(?:src|href)="(?!data:)/i,
    "nothing loaded from elsewhere",
  );
  assert.equal(html.match(/<\/script/gi)!.length, 3, "only the run data, uPlot and our script end a script");
  assert.match(html, /\\u003c\/script>\\u003cscript>alert\(1\)/);
  assert.match(html, /<body data-page="run">/);

  // The report of a dir holding no run says why, rather than writing an empty page.
  const empty = await tempDir("dashboard-report-empty-");
  await copyFile(file, path.join(empty, "notes.txt"));
  await assert.rejects(
    writeRunReport(empty),
    /holds no run .*notes\.txt: not a kubemark or ClusterLoader2 artifact/,
  );
});
