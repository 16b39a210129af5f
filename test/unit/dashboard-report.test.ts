import assert from "node:assert/strict";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { writeRunReport } from "../../src/dashboard/report.js";
import { removeTempDir, tempDir } from "../support/cli.js";

const made: string[] = [];
const madeDir = async (prefix: string) => {
  made.push(await tempDir(prefix));
  return made.at(-1)!;
};
after(() => Promise.all(made.map(removeTempDir)));

test("the report is one file: no external reference, the run data inline and escaped", async () => {
  const dir = await madeDir("dashboard-report-");
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
  const empty = await madeDir("dashboard-report-empty-");
  await copyFile(file, path.join(empty, "notes.txt"));
  await assert.rejects(
    writeRunReport(empty),
    /holds no run .*notes\.txt: not a kubemark or ClusterLoader2 artifact/,
  );
});
