import type { MeasurementName, WaitKind } from "../experiments/schema.js";
import { waitForControlledPods } from "../experiments/waits.js";
import { ApiResponsivenessMeasurement } from "./api-responsiveness-measurement.js";
import {
  ComponentMetricsMeasurement,
  ETCD_METRICS,
  SCHEDULER_METRICS,
} from "./component-metrics-measurement.js";
import type { MeasurementFactory } from "./measurement.js";
import { DEFAULT_POD_STARTUP_THRESHOLD_MS } from "./pod-startup.js";
import { PodStartupLatencyMeasurement } from "./pod-startup-measurement.js";
import { ResourceUsageMeasurement } from "./resource-usage-measurement.js";
import { SchedulingThroughputMeasurement } from "./scheduling-throughput-measurement.js";

/** Every measurement an experiment may name, built from its validated start params. */
export const MEASUREMENTS: Record<MeasurementName, MeasurementFactory> = {
  PodStartupLatency: (identifier, params, context) =>
    new PodStartupLatencyMeasurement(
      identifier,
      String(params.labelSelector ?? ""),
      Number(params.thresholdMs ?? DEFAULT_POD_STARTUP_THRESHOLD_MS),
      context,
    ),
  APIResponsiveness: (identifier, params, context) =>
    new ApiResponsivenessMeasurement(identifier, Number(params.allowedSlowCalls ?? 0), context.client),
  SchedulingThroughput: (identifier, params, context) =>
    new SchedulingThroughputMeasurement(
      identifier,
      String(params.labelSelector ?? ""),
      Number(params.minPodsPerSecond ?? 0),
      context,
    ),
  SchedulerLatency: (identifier, _params, context) =>
    new ComponentMetricsMeasurement(identifier, SCHEDULER_METRICS, context),
  EtcdMetrics: (identifier, _params, context) =>
    new ComponentMetricsMeasurement(identifier, ETCD_METRICS, context),
  ResourceUsageSummary: (identifier, _params, context) => new ResourceUsageMeasurement(identifier, context),
  // ClusterLoader2's form of a wait step: start notes the params, gather waits.
  WaitForControlledPodsRunning: (identifier, params, context) => ({
    start: async () => {},
    gather: async () => {
      const spec = {
        for: "ControlledPodsRunning" as const,
        kind: params.kind as WaitKind,
        labelSelector: String(params.labelSelector ?? ""),
        timeoutMs: Number(params.timeout),
      };
      const outcome = await waitForControlledPods(spec, { ...context, progress: () => {} });
      return { perfData: [], verdict: { name: identifier, ...outcome } };
    },
  }),
};
