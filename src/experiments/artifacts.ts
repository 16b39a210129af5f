import { writeFile } from "node:fs/promises";
import path from "node:path";
import { writeJUnit } from "../reports/junit.js";
import type { RunReport } from "./runner.js";
import type { Experiment } from "./schema.js";

export interface RunContext {
  experiment: Experiment;
  nodes: number;
  kubernetesVersion: string;
}

/** junit.xml (one testcase per verdict) and summary.json next to the PerfData files. */
export async function writeRunArtifacts(dir: string, report: RunReport, context: RunContext): Promise<void> {
  const { experiment } = context;
  const cases = report.verdicts.map((v) => ({
    name: v.name,
    timeSeconds: v.timeSeconds,
    ...(v.pass ? {} : { failure: { message: v.message } }),
  }));
  if (report.error !== undefined)
    cases.push({ name: "run", timeSeconds: 0, failure: { message: report.error } });
  await writeJUnit(path.join(dir, "junit.xml"), experiment.name, cases);
  const summary = {
    experiment: experiment.name,
    file: experiment.file,
    parameters: experiment.parameters,
    nodes: context.nodes,
    kubernetesVersion: context.kubernetesVersion,
    start: report.startedAt.toISOString(),
    end: report.endedAt.toISOString(),
    interrupted: report.interrupted,
    ...(report.error !== undefined ? { error: report.error } : {}),
    verdicts: report.verdicts,
    perfData: report.perfData.map(({ summary, identifier, file }) => ({
      summary,
      identifier,
      file: path.basename(file),
    })),
    timeSeries: report.timeSeries,
  };
  await writeFile(path.join(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
}

/** The end-of-run text: each verdict, then the headline figures of each PerfData file. */
export function formatRunSummary(dir: string, report: RunReport, context: RunContext): string[] {
  const seconds = Math.round((report.endedAt.getTime() - report.startedAt.getTime()) / 1000);
  const lines = [
    `Experiment ${context.experiment.name} on ${context.nodes} nodes (Kubernetes ${context.kubernetesVersion}), ${seconds} s${report.interrupted ? ", interrupted" : ""}`,
  ];
  for (const v of report.verdicts) lines.push(`  ${v.pass ? "PASS" : "FAIL"}  ${v.name}: ${v.message}`);
  if (report.error !== undefined) lines.push(`  ERROR ${report.error}`);
  for (const { summary, identifier, data } of report.perfData) {
    for (const item of data.dataItems.slice(0, 8)) {
      const labels = Object.values(item.labels ?? {}).join(" ");
      const figures = Object.entries(item.data)
        .map(([key, value]) => `${key} ${Number(value.toFixed(3))}`)
        .join(", ");
      lines.push(`  ${summary}/${identifier} ${labels}: ${figures} ${item.unit}`);
    }
  }
  lines.push(`Artifacts in ${dir}`);
  return lines;
}
