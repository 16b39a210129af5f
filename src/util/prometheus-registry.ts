import { monitorEventLoopDelay, PerformanceObserver, constants } from "node:perf_hooks";

/**
 * The Prometheus text format (0.0.4) for the counters, gauges and histograms a hollow process exports.
 * Written here rather than taken from prom-client, which loads some 80 files (with @opentelemetry/api,
 * tdigest and bintrees) into every hollow process for features it does not use.
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Readonly<Record<string, string>>;

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

abstract class Metric<V> {
  readonly name: string;
  private readonly help: string;
  private readonly labelNames: readonly string[];
  /** Values by their label values joined with NUL, each with its rendered label set. */
  protected readonly series = new Map<string, { labels: string; value: V }>();

  constructor(
    options: MetricOptions,
    private readonly type: string,
  ) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
  }

  reset(): void {
    this.series.clear();
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
    for (const { labels, value } of this.series.values()) out += this.renderSeries(labels, value);
    return out;
  }

  protected abstract renderSeries(labels: string, value: V): string;

  /** The series of these labels, made with `initial` the first time. */
  protected seriesOf(labels: Labels | undefined, initial: () => V): { labels: string; value: V } {
    let key = "";
    for (const name of this.labelNames) key += `${labels?.[name] ?? ""}\0`;
    let entry = this.series.get(key);
    if (!entry) {
      const rendered = this.labelNames.map((n) => `${n}="${escapeLabel(labels?.[n] ?? "")}"`).join(",");
      entry = { labels: rendered, value: initial() };
      this.series.set(key, entry);
    }
    return entry;
  }
}

class Scalar extends Metric<number> {
  protected renderSeries(labels: string, value: number): string {
    return `${this.name}${labels ? `{${labels}}` : ""} ${formatValue(value)}\n`;
  }
}

export class Counter extends Scalar {
  constructor(options: MetricOptions) {
    super(options, "counter");
  }

  inc(labels?: Labels, by = 1): void {
    this.seriesOf(labels, () => 0).value += by;
  }

  /** The series of these labels as a handle, for hot paths that keep it instead of passing labels each time. */
  labels(labels: Labels): { inc(by?: number): void } {
    const series = this.seriesOf(labels, () => 0);
    return { inc: (by = 1) => void (series.value += by) };
  }

  /** Takes the total from a cumulative source kept elsewhere, as client_golang's CounterFunc does. */
  setTotal(total: number, labels?: Labels): void {
    this.seriesOf(labels, () => 0).value = total;
  }
}

export class Gauge extends Scalar {
  constructor(options: MetricOptions) {
    super(options, "gauge");
  }

  set(value: number, labels?: Labels): void {
    this.seriesOf(labels, () => 0).value = value;
  }
}

interface Buckets {
  /** Observations at or below each bound, not yet cumulative. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<Buckets> {
  private readonly buckets: readonly number[];

  constructor(options: MetricOptions & { buckets: readonly number[] }) {
    super(options, "histogram");
    this.buckets = options.buckets;
  }

  observe(value: number, labels?: Labels): void {
    this.record(this.bucketsOf(labels), value);
  }

  /** The series of these labels as a handle, for hot paths that keep it instead of passing labels each time. */
  labels(labels: Labels): { observe(value: number): void } {
    const b = this.bucketsOf(labels);
    return { observe: (value) => this.record(b, value) };
  }

  private bucketsOf(labels: Labels | undefined): Buckets {
    return this.seriesOf(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 })).value;
  }

  private record(b: Buckets, value: number): void {
    const i = this.buckets.findIndex((bound) => value <= bound);
    if (i >= 0) b.counts[i]++;
    b.sum += value;
    b.count++;
  }

  protected renderSeries(labels: string, b: Buckets): string {
    const sep = labels ? `${labels},` : "";
    let out = "";
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += b.counts[i];
      out += `${this.name}_bucket{${sep}le="${bound}"} ${cumulative}\n`;
    });
    out += `${this.name}_bucket{${sep}le="+Inf"} ${b.count}\n`;
    const set = labels ? `{${labels}}` : "";
    return `${out}${this.name}_sum${set} ${formatValue(b.sum)}\n${this.name}_count${set} ${b.count}\n`;
  }
}

/** A set of metrics rendered together; `beforeRender` hooks refresh gauges read from elsewhere. */
export class Registry {
  private readonly metrics: { render(): string }[] = [];
  private readonly hooks: (() => void)[] = [];

  add<M extends { render(): string }>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  beforeRender(hook: () => void): void {
    this.hooks.push(hook);
  }

  render(): string {
    for (const hook of this.hooks) hook();
    return this.metrics.map((m) => m.render()).join("");
  }
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};

/**
 * The process metrics Prometheus clients export by convention: CPU, resident memory, V8 heap,
 * event-loop lag (sampled every 20 ms) and garbage-collection time by kind.
 */
export function addProcessMetrics(registry: Registry): void {
  const cpu = registry.add(
    new Counter({ name: "process_cpu_seconds_total", help: "User and system CPU time" }),
  );
  const rss = registry.add(new Gauge({ name: "process_resident_memory_bytes", help: "Resident set size" }));
  const start = registry.add(
    new Gauge({ name: "process_start_time_seconds", help: "Start time since the Unix epoch" }),
  );
  const heap = registry.add(new Gauge({ name: "nodejs_heap_size_used_bytes", help: "V8 heap in use" }));
  const heapTotal = registry.add(
    new Gauge({ name: "nodejs_heap_size_total_bytes", help: "V8 heap reserved" }),
  );
  const lag = registry.add(
    new Gauge({
      name: "nodejs_eventloop_lag_seconds",
      help: "Event-loop delay since the last scrape, by quantile",
      labelNames: ["quantile"],
    }),
  );
  const gc = registry.add(
    new Histogram({
      name: "nodejs_gc_duration_seconds",
      help: "Garbage collection pauses by kind",
      labelNames: ["kind"],
      buckets: [0.001, 0.01, 0.1, 1, 2, 5],
    }),
  );
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as unknown as { detail: { kind: number } }).detail.kind] ?? "other";
      gc.observe(entry.duration / 1000, { kind });
    }
  }).observe({ entryTypes: ["gc"] });
  start.set(Math.round(performance.timeOrigin / 1000));
  registry.beforeRender(() => {
    const usage = process.cpuUsage();
    cpu.setTotal((usage.user + usage.system) / 1e6);
    const memory = process.memoryUsage();
    rss.set(memory.rss);
    heap.set(memory.heapUsed);
    heapTotal.set(memory.heapTotal);
    for (const q of [50, 90, 99]) lag.set(delay.percentile(q) / 1e9, { quantile: String(q / 100) });
    lag.set(delay.max / 1e9, { quantile: "1" });
    delay.reset();
  });
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
}
