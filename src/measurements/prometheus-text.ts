/**
 * Prometheus text exposition format 0.0.4, as the control plane and etcd serve on /metrics.
 * A hand-written scanner over character codes: the API server's output runs to megabytes.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

export class PrometheusParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`prometheus text, line ${line}: ${message}`);
  }
}

const TAB = 9;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

const METRIC_TYPES: ReadonlySet<string> = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function isLabelNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function isMetricNameChar(c: number): boolean {
  return isLabelNameChar(c) || c === 58;
}

/** Families keyed by name; histogram and summary `_bucket`/`_sum`/`_count` samples sit in their family. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  return new TextParser(text).parse();
}

class TextParser {
  private readonly families = new Map<string, MetricFamily>();
  private readonly typeDeclared = new Set<string>();
  private lastSampleName = "";
  private lastSampleFamily: MetricFamily | undefined;
  private lineNumber = 0;
  private pos = 0;
  private lineEnd = 0;

  constructor(private readonly text: string) {}

  parse(): Map<string, MetricFamily> {
    const text = this.text;
    let lineStart = 0;
    while (lineStart < text.length) {
      let newline = text.indexOf("\n", lineStart);
      if (newline < 0) newline = text.length;
      this.lineNumber++;
      this.pos = lineStart;
      this.lineEnd =
        newline > lineStart && text.charCodeAt(newline - 1) === CARRIAGE_RETURN ? newline - 1 : newline;
      this.parseLine();
      lineStart = newline + 1;
    }
    return this.families;
  }

  private parseLine(): void {
    this.skipBlanks();
    if (this.pos >= this.lineEnd) return;
    if (this.text.charCodeAt(this.pos) === HASH) this.parseComment();
    else this.parseSample();
  }

  private parseComment(): void {
    this.pos++;
    this.skipBlanks();
    const keyword = this.readToken();
    if (keyword !== "HELP" && keyword !== "TYPE") return;
    this.skipBlanks();
    const name = this.readName(isMetricNameChar);
    if (name === "") return;
    this.skipBlanks();
    this.lastSampleName = "";
    const family = this.familyNamed(name);
    if (keyword === "HELP") {
      family.help = unescapeHelp(this.text.slice(this.pos, this.lineEnd));
      return;
    }
    const type = this.readToken();
    if (!METRIC_TYPES.has(type)) throw this.error(`unknown metric type "${type}" for ${name}`);
    if (this.typeDeclared.has(name) || family.samples.length > 0) {
      throw this.error(`second TYPE line for ${name}, or TYPE after its samples`);
    }
    this.typeDeclared.add(name);
    family.type = type as MetricType;
  }

  private parseSample(): void {
    const name = this.readName(isMetricNameChar);
    if (name === "") throw this.error("expected a metric name");
    this.skipBlanks();
    const labels: Record<string, string> = {};
    if (this.text.charCodeAt(this.pos) === OPEN_BRACE && this.pos < this.lineEnd) this.parseLabels(labels);
    this.skipBlanks();
    const value = this.parseValue(this.readToken());
    this.skipBlanks();
    const sample: Sample = { name, labels, value };
    if (this.pos < this.lineEnd) {
      const timestamp = this.readToken();
      const timestampMs = Number(timestamp);
      if (timestamp === "" || !Number.isInteger(timestampMs))
        throw this.error(`invalid timestamp "${timestamp}"`);
      sample.timestampMs = timestampMs;
      this.skipBlanks();
      if (this.pos < this.lineEnd) throw this.error("unexpected text after the timestamp");
    }
    this.familyOfSample(name).samples.push(sample);
  }

  private parseLabels(labels: Record<string, string>): void {
    const text = this.text;
    this.pos++;
    for (;;) {
      this.skipBlanks();
      if (text.charCodeAt(this.pos) === CLOSE_BRACE && this.pos < this.lineEnd) break;
      const labelName = this.readName(isLabelNameChar);
      if (labelName === "") throw this.error("expected a label name");
      this.skipBlanks();
      this.expect(EQUALS, "=");
      this.skipBlanks();
      this.expect(QUOTE, '"');
      labels[labelName] = this.readLabelValue();
      this.skipBlanks();
      if (this.pos >= this.lineEnd) break;
      const c = text.charCodeAt(this.pos);
      if (c === COMMA) this.pos++;
      else if (c !== CLOSE_BRACE) throw this.error('expected "," or "}" after a label value');
    }
    this.expect(CLOSE_BRACE, "}");
  }

  /** Reads up to the closing quote and past it; slices directly unless an escape appears. */
  private readLabelValue(): string {
    const text = this.text;
    const start = this.pos;
    for (let i = start; i < this.lineEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return text.slice(start, i);
      }
      if (c === BACKSLASH) return this.readEscapedLabelValue(start, i);
    }
    throw this.error("unterminated label value");
  }

  private readEscapedLabelValue(start: number, firstBackslash: number): string {
    const text = this.text;
    let value = text.slice(start, firstBackslash);
    let i = firstBackslash;
    while (i < this.lineEnd) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return value;
      }
      if (c !== BACKSLASH) {
        value += text[i];
        i++;
        continue;
      }
      const escaped = text.charCodeAt(i + 1);
      if (escaped === BACKSLASH) value += "\\";
      else if (escaped === QUOTE) value += '"';
      else if (escaped === 110 /* n */) value += "\n";
      else throw this.error(`invalid escape sequence "\\${text[i + 1] ?? ""}" in a label value`);
      i += 2;
    }
    throw this.error("unterminated label value");
  }

  private parseValue(token: string): number {
    const value = Number(token);
    if (!Number.isNaN(value) && token !== "") return value;
    switch (token.toLowerCase()) {
      case "nan":
        return NaN;
      case "+inf":
      case "inf":
        return Infinity;
      case "-inf":
        return -Infinity;
      default:
        throw this.error(`invalid sample value "${token}"`);
    }
  }

  private familyNamed(name: string): MetricFamily {
    let family = this.families.get(name);
    if (family === undefined) {
      family = { name, type: "untyped", help: "", samples: [] };
      this.families.set(name, family);
    }
    return family;
  }

  private familyOfSample(sampleName: string): MetricFamily {
    if (sampleName === this.lastSampleName) return this.lastSampleFamily!;
    const family =
      this.families.get(sampleName) ?? this.histogramOrSummaryOf(sampleName) ?? this.familyNamed(sampleName);
    this.lastSampleName = sampleName;
    this.lastSampleFamily = family;
    return family;
  }

  private histogramOrSummaryOf(sampleName: string): MetricFamily | undefined {
    const suffix = sampleName.endsWith("_bucket")
      ? "_bucket"
      : sampleName.endsWith("_sum")
        ? "_sum"
        : sampleName.endsWith("_count")
          ? "_count"
          : undefined;
    if (suffix === undefined) return undefined;
    const family = this.families.get(sampleName.slice(0, -suffix.length));
    if (family?.type === "histogram" || (family?.type === "summary" && suffix !== "_bucket")) return family;
    return undefined;
  }

  private readName(isNameChar: (c: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.lineEnd && isNameChar(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private readToken(): string {
    const start = this.pos;
    while (this.pos < this.lineEnd) {
      const c = this.text.charCodeAt(this.pos);
      if (c === SPACE || c === TAB) break;
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  private skipBlanks(): void {
    while (this.pos < this.lineEnd) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== SPACE && c !== TAB) return;
      this.pos++;
    }
  }

  private expect(code: number, shown: string): void {
    if (this.pos >= this.lineEnd || this.text.charCodeAt(this.pos) !== code)
      throw this.error(`expected "${shown}"`);
    this.pos++;
  }

  private error(message: string): PrometheusParseError {
    return new PrometheusParseError(this.lineNumber, message);
  }
}

function unescapeHelp(raw: string): string {
  if (!raw.includes("\\")) return raw;
  return raw.replace(/\\(\\|n)/g, (_, escaped: string) => (escaped === "n" ? "\n" : "\\"));
}

export interface HistogramBucket {
  le: number;
  count: number;
}

export interface HistogramSeries {
  /** The series' labels, without `le`. */
  labels: Record<string, string>;
  /** Cumulative counts, sorted by upper bound. */
  buckets: HistogramBucket[];
  /** NaN when the exposition has no _sum sample. */
  sum: number;
  /** From _count, else from the +Inf bucket. */
  count: number;
}

/** Groups a histogram family's samples per label set; labelFilter keeps series whose labels include it. */
export function histogramBuckets(
  family: MetricFamily,
  labelFilter: Record<string, string> = {},
): HistogramSeries[] {
  if (family.type !== "histogram") throw new TypeError(`${family.name} is a ${family.type}, not a histogram`);
  const bucketName = `${family.name}_bucket`;
  const sumName = `${family.name}_sum`;
  const countName = `${family.name}_count`;
  const filter = Object.entries(labelFilter);
  const seriesByKey = new Map<string, HistogramSeries>();
  for (const sample of family.samples) {
    if (!filter.every(([name, value]) => sample.labels[name] === value)) continue;
    const { le, ...labels } = sample.labels;
    const key = labelSetKey(labels);
    let series = seriesByKey.get(key);
    if (series === undefined) {
      series = { labels, buckets: [], sum: NaN, count: NaN };
      seriesByKey.set(key, series);
    }
    if (sample.name === bucketName && le !== undefined)
      series.buckets.push({ le: parseBound(le), count: sample.value });
    else if (sample.name === sumName) series.sum = sample.value;
    else if (sample.name === countName) series.count = sample.value;
  }
  for (const series of seriesByKey.values()) {
    series.buckets.sort((a, b) => a.le - b.le);
    const last = series.buckets.at(-1);
    if (Number.isNaN(series.count) && last?.le === Infinity) series.count = last.count;
  }
  return [...seriesByKey.values()];
}

/** A stable key for a label set, whatever the order its labels came in. */
export function labelSetKey(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((name) => [name, labels[name]]),
  );
}

function parseBound(le: string): number {
  const lower = le.toLowerCase();
  if (lower === "+inf" || lower === "inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  const bound = Number(le);
  if (le === "" || Number.isNaN(bound)) throw new TypeError(`invalid histogram bound le="${le}"`);
  return bound;
}
