import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

export interface JUnitCase {
  name: string;
  /** Defaults to the suite's name. */
  className?: string;
  timeSeconds: number;
  failure?: { message: string; details?: string };
}

/** One testsuite inside testsuites, the shape Prow and Spyglass read. */
export function renderJUnit(suiteName: string, cases: readonly JUnitCase[]): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const totalSeconds = cases.reduce((sum, c) => sum + c.timeSeconds, 0);
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" time="${seconds(totalSeconds)}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${counts}>`,
    `  <testsuite name="${attribute(suiteName)}" ${counts}>`,
  ];
  for (const c of cases) {
    const open = `    <testcase name="${attribute(c.name)}" classname="${attribute(c.className ?? suiteName)}" time="${seconds(c.timeSeconds)}"`;
    if (c.failure === undefined) {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(
      `${open}>`,
      `      <failure message="${attribute(c.failure.message)}">${text(c.failure.details ?? c.failure.message)}</failure>`,
      "    </testcase>",
    );
  }
  lines.push("  </testsuite>", "</testsuites>", "");
  return lines.join("\n");
}

export async function writeJUnit(
  file: string,
  suiteName: string,
  cases: readonly JUnitCase[],
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, renderJUnit(suiteName, cases));
}

function seconds(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`test time ${value} s is not a duration`);
  return value.toFixed(3);
}

// Control characters such as the ESC of coloured logs, and lone surrogates, are not allowed anywhere in
// XML 1.0, even escaped; a single one makes the whole report unreadable.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function text(value: string): string {
  return value
    .replace(NOT_XML_CHAR, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

// Parsers normalise raw tabs and newlines in attribute values to spaces, so they are kept as references.
function attribute(value: string): string {
  return text(value)
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}
