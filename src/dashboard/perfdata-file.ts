import type { DataItem } from "../reports/perfdata.js";

/** What a PerfData file's name tells: ClusterLoader2 and kubemark both write `<metric>_<test>_<time>.json`. */
export interface PerfDataName {
  /** `<Summary>_<Identifier>` (ours, and ClusterLoader2's measurements) or `<Summary>` alone. */
  metric: string;
  test: string;
  time: string;
}

// The time is RFC 3339, as Go's time.RFC3339 writes it (Z or a numeric offset); test names hold no "_".
const PERF_DATA_NAME = /^(.+)_([^_]+)_(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))\.json$/;

export function parsePerfDataName(fileName: string): PerfDataName | undefined {
  const match = PERF_DATA_NAME.exec(fileName);
  if (!match || Number.isNaN(Date.parse(match[3]!))) return undefined;
  return { metric: match[1]!, test: match[2]!, time: new Date(match[3]!).toISOString() };
}

/**
 * The data items of a PerfData document, or an Error naming the first thing wrong with it. Any version is
 * accepted: ClusterLoader2 writes "v1", kubemark "1.0", and the shape is the same.
 */
export function parsePerfDataItems(text: string): DataItem[] | Error {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return new Error(`invalid JSON: ${(error as Error).message}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.dataItems)) return new Error("not PerfData: no dataItems array");
  const items: DataItem[] = [];
  for (const [i, item] of doc.dataItems.entries()) {
    const where = `not PerfData: dataItems[${i}]`;
    if (!isObject(item) || !isObject(item.data)) return new Error(`${where}.data is not an object`);
    for (const [key, value] of Object.entries(item.data)) {
      if (typeof value !== "number" || !Number.isFinite(value))
        return new Error(`${where}.data.${key} is not a number`);
    }
    if (typeof item.unit !== "string") return new Error(`${where}.unit is not a string`);
    const labels = item.labels ?? {};
    if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== "string"))
      return new Error(`${where}.labels is not a map of strings`);
    items.push({
      data: item.data as Record<string, number>,
      unit: item.unit,
      labels: labels as Record<string, string>,
    });
  }
  return items;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
