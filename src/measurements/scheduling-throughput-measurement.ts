import type { Informer } from "../client/informer.js";
import type { Pod } from "../client/types.js";
import type { Measurement, MeasurementContext, MeasurementResult, TimeSeries } from "./measurement.js";
import { SampleSeries } from "./percentile.js";
import { podInformer } from "./pod-informer.js";

const SAMPLE_EVERY_MS = 5_000;

/**
 * ClusterLoader2's SchedulingThroughput: every 5 s, how many more of the selected pods have a node, per
 * second. Idle windows before the first and after the last scheduling are left out.
 */
export class SchedulingThroughputMeasurement implements Measurement {
  private informer?: Informer<Pod>;
  private ticker?: NodeJS.Timeout;
  private readonly rates: { time: string; value: number }[] = [];
  private lastScheduled = 0;

  constructor(
    private readonly identifier: string,
    private readonly labelSelector: string,
    private readonly minPodsPerSecond: number,
    private readonly context: MeasurementContext,
  ) {}

  async start(): Promise<void> {
    this.informer = podInformer(this.context.client, this.labelSelector).start();
    await this.informer.synced;
    this.lastScheduled = this.scheduledCount();
    this.ticker = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
  }

  async gather(): Promise<MeasurementResult> {
    clearInterval(this.ticker);
    this.informer?.stop();
    const first = this.rates.findIndex((r) => r.value > 0);
    const last = this.rates.findLastIndex((r) => r.value > 0);
    const busy = first < 0 ? [] : this.rates.slice(first, last + 1);
    const series = new SampleSeries();
    for (const rate of busy) series.add(rate.value);
    const [perc50, perc90, perc99] = series.count === 0 ? [0, 0, 0] : series.percentiles([50, 90, 99]);
    const max = series.count === 0 ? 0 : series.max;
    const timeSeries: TimeSeries = { name: "scheduled pods per second", unit: "1/s", points: this.rates };
    return {
      perfData: [
        {
          summary: "SchedulingThroughput",
          data: {
            version: "1.0",
            dataItems: [
              { data: { Perc50: perc50!, Perc90: perc90!, Perc99: perc99!, Max: max }, unit: "1/s" },
            ],
          },
        },
      ],
      verdict: {
        name: this.identifier,
        pass: max >= this.minPodsPerSecond,
        message: `max ${max} pods/s, p50 ${perc50} pods/s over ${busy.length} samples of 5 s${this.minPodsPerSecond > 0 ? ` (minimum ${this.minPodsPerSecond})` : ""}`,
      },
      timeSeries: [timeSeries],
    };
  }

  private sample(): void {
    const scheduled = this.scheduledCount();
    const value = Math.max(0, scheduled - this.lastScheduled) / (SAMPLE_EVERY_MS / 1000);
    this.rates.push({ time: new Date().toISOString(), value });
    this.lastScheduled = scheduled;
  }

  private scheduledCount(): number {
    let count = 0;
    for (const pod of this.informer!.list())
      if (pod.spec.nodeName && this.context.namespaces.has(pod.metadata.namespace!)) count++;
    return count;
  }
}
