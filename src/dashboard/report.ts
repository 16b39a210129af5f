import { writeFile } from "node:fs/promises";
import path from "node:path";
import { selfContainedRunPage } from "./pages.js";
import { runView, type RunView } from "./run-view.js";
import { loadRuns, REPORT_FILE_NAME } from "./run-store.js";

/** Writes the run page of the one run in runDir as a self-contained HTML file; returns what it wrote. */
export async function writeRunReport(
  runDir: string,
  outFile?: string,
): Promise<{ file: string; view: RunView }> {
  const dir = path.resolve(runDir);
  const store = await loadRuns([dir]);
  const runs = store.runs.filter((run) => run.dir === dir);
  if (runs.length !== 1) {
    const found =
      runs.length === 0
        ? `no run (no summary.json or PerfData file)${store.unreadable.length > 0 ? `; unreadable: ${store.unreadable.map((u) => `${path.basename(u.file)}: ${u.reason}`).join("; ")}` : ""}`
        : `${runs.length} runs (tests ${runs.map((run) => run.test).join(", ")})`;
    throw new Error(`${runDir} holds ${found}; a report is of exactly one run`);
  }
  const view = runView(runs[0]!, store.unreadable);
  const file = outFile ?? path.join(dir, REPORT_FILE_NAME);
  await writeFile(file, await selfContainedRunPage(view));
  return { file, view };
}
