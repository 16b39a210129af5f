import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { TimeSeries, Verdict } from "../measurements/measurement.js";
import { junitVerdicts } from "./junit-verdicts.js";
import { isObject, parsePerfDataItems, parsePerfDataName } from "./perfdata-file.js";

/** One data item of one PerfData file, named by the file's metric part. */
export interface Metric {
  /** `<Summary>_<Identifier>` as in the file name, e.g. PodStartupLatency_SaturationPodStartupLatency. */
  name: string;
  unit: string;
  labels: Record<string, string>;
  data: Record<string, number>;
}

export interface Run {
  /** Stable across restarts and URL-safe: a hash of the directory and test. */
  id: string;
  dir: string;
  /** kubemark's summary.json, or PerfData files alone (as ClusterLoader2 writes them). */
  source: "summary" | "perfdata";
  test: string;
  /** ISO time the run started (ClusterLoader2: its earliest PerfData file). */
  start: string;
  nodes?: number;
  kubernetesVersion?: string;
  verdict: "pass" | "fail" | "unknown";
  verdicts: Verdict[];
  /** Why a kubemark run stopped early, if it did. */
  error?: string;
  metrics: Metric[];
  /** kubemark only: sampled series by measurement identifier. */
  timeSeries: Record<string, TimeSeries[]>;
}

export interface Unreadable {
  file: string;
  reason: string;
}

export interface RunStore {
  runs: Run[];
  unreadable: Unreadable[];
}

/** The name `kubemark report` writes in a run's directory by default. */
export const REPORT_FILE_NAME = "report.html";

/** Files expected in a report dir that hold no run data. */
const NOT_DATA = new Set([REPORT_FILE_NAME]);

/**
 * Every run under the given directories, newest first. A directory with a summary.json is one kubemark run;
 * one without holds ClusterLoader2 runs, one per test named by its PerfData files (and its junit.xml). Every other file, and
 * every file that does not parse, is listed as unreadable with the reason, so nothing is silently skipped.
 */
export async function loadRuns(roots: readonly string[]): Promise<RunStore> {
  const store: RunStore = { runs: [], unreadable: [] };
  for (const root of roots) await loadDir(path.resolve(root), store);
  store.runs.sort((a, b) => b.start.localeCompare(a.start) || a.dir.localeCompare(b.dir));
  return store;
}

async function loadDir(dir: string, store: RunStore): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && !e.name.startsWith(".") && !NOT_DATA.has(e.name))
    .map((e) => e.name)
    .sort();
  if (files.length > 0) await loadRunFiles(dir, files, store);
  for (const sub of entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")))
    await loadDir(path.join(dir, sub.name), store);
}

interface PerfDataFile {
  test: string;
  time: string;
  metrics: Metric[];
}

async function loadRunFiles(dir: string, files: string[], store: RunStore): Promise<void> {
  const unreadable = (file: string, reason: string) =>
    store.unreadable.push({ file: path.join(dir, file), reason });
  const perfData: PerfDataFile[] = [];
  let summary: Summary | Error | undefined;
  let junit: Verdict[] | undefined;
  for (const file of files) {
    const name = parsePerfDataName(file);
    if (file !== "summary.json" && file !== "junit.xml" && !name) {
      unreadable(
        file,
        "not a kubemark or ClusterLoader2 artifact: expected summary.json, junit.xml or <Summary>_<test>_<RFC 3339 time>.json",
      );
      continue;
    }
    let text: string;
    try {
      text = await readFile(path.join(dir, file), "utf8");
    } catch (error) {
      unreadable(file, (error as Error).message);
      continue;
    }
    if (file === "summary.json") {
      summary = parseSummary(text);
      if (summary instanceof Error) unreadable(file, summary.message);
    } else if (file === "junit.xml") {
      junit = junitVerdicts(text);
    } else {
      const items = parsePerfDataItems(text);
      if (items instanceof Error) unreadable(file, items.message);
      else
        perfData.push({
          test: name!.test,
          time: name!.time,
          metrics: items.map((item) => ({ name: name!.metric, ...item, labels: item.labels ?? {} })),
        });
    }
  }
  // A corrupt summary.json still leaves the PerfData files to show, as a run known from them alone.
  if (summary !== undefined && !(summary instanceof Error))
    store.runs.push(kubemarkRun(dir, summary, perfData));
  else store.runs.push(...perfDataRuns(dir, perfData, junit));
}

/** The parts of kubemark's summary.json (src/experiments/artifacts.ts) the dashboard shows. */
interface Summary {
  experiment: string;
  nodes?: number;
  kubernetesVersion?: string;
  start: string;
  interrupted?: boolean;
  error?: string;
  verdicts: Verdict[];
  timeSeries?: Record<string, TimeSeries[]>;
}

function parseSummary(text: string): Summary | Error {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return new Error(`invalid JSON: ${(error as Error).message}`);
  }
  if (!isObject(doc)) return new Error("not a kubemark summary: not an object");
  if (typeof doc.experiment !== "string") return new Error("not a kubemark summary: no experiment name");
  if (typeof doc.start !== "string" || Number.isNaN(Date.parse(doc.start)))
    return new Error("not a kubemark summary: no start time");
  if (!Array.isArray(doc.verdicts)) return new Error("not a kubemark summary: no verdicts");
  return doc as unknown as Summary;
}

function kubemarkRun(dir: string, summary: Summary, perfData: PerfDataFile[]): Run {
  const failed = summary.verdicts.some((v) => !v.pass) || summary.error !== undefined;
  const error = summary.error ?? (summary.interrupted ? "interrupted" : undefined);
  return {
    id: runId(dir, summary.experiment),
    dir,
    source: "summary",
    test: summary.experiment,
    start: new Date(summary.start).toISOString(),
    ...(summary.nodes !== undefined ? { nodes: summary.nodes } : {}),
    ...(summary.kubernetesVersion !== undefined ? { kubernetesVersion: summary.kubernetesVersion } : {}),
    verdict: failed || summary.interrupted ? "fail" : "pass",
    verdicts: summary.verdicts,
    ...(error !== undefined ? { error } : {}),
    metrics: perfData.flatMap((file) => file.metrics),
    timeSeries: summary.timeSeries ?? {},
  };
}

/** ClusterLoader2 writes each PerfData file when its measurement is gathered, so one run spans many times. */
function perfDataRuns(dir: string, perfData: PerfDataFile[], junit: Verdict[] | undefined): Run[] {
  const tests = [...new Set(perfData.map((file) => file.test))];
  return tests.map((test) => {
    const files = perfData.filter((file) => file.test === test);
    const verdicts = junit ?? [];
    return {
      id: runId(dir, test),
      dir,
      source: "perfdata",
      test,
      start: files.map((file) => file.time).sort()[0]!,
      verdict: junit === undefined ? "unknown" : verdicts.every((v) => v.pass) ? "pass" : "fail",
      verdicts,
      metrics: files.flatMap((file) => file.metrics),
      timeSeries: {},
    };
  });
}

function runId(dir: string, test: string): string {
  return createHash("sha256").update(`${dir}\0${test}`).digest("hex").slice(0, 12);
}

export async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() === true;
}
