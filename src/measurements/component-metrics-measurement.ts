import type { KubeClient } from "../client/kube-client.js";
import type { ComponentName } from "../master/cluster-state.js";
import { componentClient } from "../master/local-master.js";
import type { DataItem } from "../reports/perfdata.js";
import { histogramQuantile } from "./api-responsiveness.js";
import { histogramDelta } from "./histogram-delta.js";
import type { Measurement, MeasurementContext, MeasurementResult } from "./measurement.js";
import { parsePrometheusText } from "./prometheus-text.js";

export interface ComponentMetricsSpec {
  /** The PerfData summary name. */
  summary: string;
  component: ComponentName;
  /** Histograms in seconds, reported as p50/p90/p99 in ms of what was observed between start and gather. */
  histograms: { metric: string; labelFilter?: Record<string, string> }[];
  /** Gauges in bytes, reported as their value at gather. */
  gauges: string[];
}

/** Scrapes one master component's /metrics at start and gather; local clusters only, as only they expose it. */
export class ComponentMetricsMeasurement implements Measurement {
  private client?: KubeClient;
  private startText = "";

  constructor(
    private readonly identifier: string,
    private readonly spec: ComponentMetricsSpec,
    private readonly context: MeasurementContext,
  ) {}

  async start(): Promise<void> {
    if (!this.context.local) return;
    this.client = await componentClient(this.context.local, this.spec.component);
    this.startText = await this.scrape(this.client);
  }

  async gather(): Promise<MeasurementResult> {
    if (!this.client)
      return {
        perfData: [],
        verdict: {
          name: this.identifier,
          pass: true,
          message: `skipped: ${this.spec.component} metrics need a local cluster`,
        },
      };
    try {
      const start = parsePrometheusText(this.startText);
      const end = parsePrometheusText(await this.scrape(this.client));
      const dataItems: DataItem[] = [];
      for (const { metric, labelFilter } of this.spec.histograms) {
        const buckets = histogramDelta(start, end, metric, labelFilter);
        if (buckets.at(-1)?.count === undefined || buckets.at(-1)!.count === 0) continue;
        const [perc50, perc90, perc99] = [0.5, 0.9, 0.99].map((q) => histogramQuantile(q, buckets) * 1000);
        dataItems.push({
          data: { Perc50: perc50!, Perc90: perc90!, Perc99: perc99! },
          unit: "ms",
          labels: { Metric: metric },
        });
      }
      for (const metric of this.spec.gauges) {
        const value = end.get(metric)?.samples[0]?.value;
        if (value !== undefined)
          dataItems.push({ data: { Value: value }, unit: "bytes", labels: { Metric: metric } });
      }
      const p99s = dataItems
        .filter((item) => item.unit === "ms")
        .map((item) => `${item.labels!.Metric} p99 ${item.data.Perc99!.toFixed(1)} ms`);
      return {
        perfData: [{ summary: this.spec.summary, data: { version: "1.0", dataItems } }],
        verdict: { name: this.identifier, pass: true, message: p99s.join(", ") || "no observations" },
      };
    } finally {
      this.client.close();
    }
  }

  private scrape(client: KubeClient): Promise<string> {
    return client.getText(new URL(this.context.local!.components[this.spec.component].metricsUrl).pathname);
  }
}

export const SCHEDULER_METRICS: ComponentMetricsSpec = {
  summary: "SchedulerLatency",
  component: "kube-scheduler",
  histograms: [
    { metric: "scheduler_scheduling_attempt_duration_seconds", labelFilter: { result: "scheduled" } },
    { metric: "scheduler_pod_scheduling_sli_duration_seconds" },
  ],
  gauges: [],
};

export const ETCD_METRICS: ComponentMetricsSpec = {
  summary: "EtcdMetrics",
  component: "etcd",
  histograms: [
    { metric: "etcd_disk_backend_commit_duration_seconds" },
    { metric: "etcd_disk_wal_fsync_duration_seconds" },
  ],
  gauges: ["etcd_mvcc_db_total_size_in_bytes"],
};
