import type { KubeClient } from "../client/kube-client.js";
import { COMPONENTS } from "../master/cluster-state.js";
import { sampleProcess, type ProcSample } from "../master/proc-stats.js";
import type { DataItem } from "../reports/perfdata.js";
import type { Measurement, MeasurementContext, MeasurementResult, TimeSeries } from "./measurement.js";
import { SampleSeries } from "./percentile.js";
import { parsePrometheusText } from "./prometheus-text.js";

const SAMPLE_EVERY_MS = 5_000;
const MIB = 1024 * 1024;

/** What a component's process metrics give; /proc gives more. */
type Usage = Pick<ProcSample, "cpuSeconds" | "rssBytes">;

interface ComponentUsage {
  cpuCores: TimeSeries;
  rssMiB: TimeSeries;
  last?: { at: number; sample: Usage };
}

/** Reads one component's cumulative CPU seconds and RSS, or undefined when it cannot be read now. */
type Sampler = () => Promise<Usage | undefined>;

/** The process metrics every Go component exports, for clusters whose processes are not ours to read. */
async function processMetrics(client: KubeClient): Promise<Usage | undefined> {
  const families = parsePrometheusText(await client.getText("/metrics"));
  const cpu = families.get("process_cpu_seconds_total")?.samples[0]?.value;
  const rss = families.get("process_resident_memory_bytes")?.samples[0]?.value;
  return cpu === undefined || rss === undefined ? undefined : { cpuSeconds: cpu, rssBytes: rss };
}

/**
 * CPU (cores) and RSS (MiB) of the master every 5 s: each component from /proc on a local cluster, the
 * API server's own process metrics on any other.
 */
export class ResourceUsageMeasurement implements Measurement {
  private ticker?: NodeJS.Timeout;
  private readonly usage = new Map<string, ComponentUsage & { sampler: Sampler }>();

  constructor(
    private readonly identifier: string,
    private readonly context: MeasurementContext,
  ) {}

  async start(): Promise<void> {
    const local = this.context.local;
    const samplers: [string, Sampler][] = local
      ? COMPONENTS.map((c) => [c, () => sampleProcess(local.components[c].pid).catch(() => undefined)])
      : [["kube-apiserver", () => processMetrics(this.context.client).catch(() => undefined)]];
    for (const [component, sampler] of samplers)
      this.usage.set(component, {
        sampler,
        cpuCores: { name: `${component} cpu`, unit: "cores", points: [] },
        rssMiB: { name: `${component} rss`, unit: "MiB", points: [] },
      });
    await this.sample();
    this.ticker = setInterval(() => void this.sample(), SAMPLE_EVERY_MS);
  }

  async gather(): Promise<MeasurementResult> {
    clearInterval(this.ticker);
    const dataItems: DataItem[] = [];
    const peaks: string[] = [];
    for (const [component, { cpuCores, rssMiB }] of this.usage) {
      for (const [resource, series] of [
        ["cpu", cpuCores],
        ["memory", rssMiB],
      ] as const) {
        if (series.points.length === 0) continue;
        const values = new SampleSeries();
        for (const point of series.points) values.add(point.value);
        const [perc50, perc90, perc99] = values.percentiles([50, 90, 99]);
        dataItems.push({
          data: { Perc50: perc50!, Perc90: perc90!, Perc99: perc99!, Max: values.max },
          unit: series.unit,
          labels: { Name: component, Resource: resource },
        });
      }
      const maxCpu = Math.max(0, ...cpuCores.points.map((p) => p.value));
      const maxRss = Math.max(0, ...rssMiB.points.map((p) => p.value));
      peaks.push(`${component} ${maxCpu.toFixed(2)} cores ${Math.round(maxRss)} MiB`);
    }
    return {
      perfData: [{ summary: "ResourceUsageSummary", data: { version: "1.0", dataItems } }],
      verdict: { name: this.identifier, pass: true, message: `peaks: ${peaks.join(", ")}` },
      timeSeries: [...this.usage.values()].flatMap((u) => [u.cpuCores, u.rssMiB]),
    };
  }

  private async sample(): Promise<void> {
    const at = Date.now();
    const time = new Date(at).toISOString();
    await Promise.all(
      [...this.usage.values()].map(async (usage) => {
        // A component that cannot be read now (exited, restarted, unreachable) is simply not sampled.
        const sample = await usage.sampler();
        if (!sample) return;
        usage.rssMiB.points.push({ time, value: sample.rssBytes / MIB });
        if (usage.last)
          usage.cpuCores.points.push({
            time,
            value: (sample.cpuSeconds - usage.last.sample.cpuSeconds) / ((at - usage.last.at) / 1000),
          });
        usage.last = { at, sample };
      }),
    );
  }
}
