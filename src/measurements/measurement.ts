import type { Value } from "../experiments/expression.js";
import type { KubeClient } from "../client/kube-client.js";
import type { ClusterDescription } from "../master/cluster-state.js";
import type { PerfData } from "../reports/perfdata.js";

/** Whether one measurement met its SLO; every gathered measurement gives one, with or without an SLO. */
export interface Verdict {
  name: string;
  pass: boolean;
  message: string;
}

/** A value sampled over the run, for summary.json. */
export interface TimeSeries {
  name: string;
  unit: string;
  points: { time: string; value: number }[];
}

export interface MeasurementResult {
  /** Written as `<summary>_<identifier>_<test>_<time>.json`. */
  perfData: { summary: string; data: PerfData }[];
  verdict: Verdict;
  timeSeries?: TimeSeries[];
}

/** What a measurement may look at. */
export interface MeasurementContext {
  client: KubeClient;
  /** The experiment's namespaces; pods elsewhere are not measured. */
  namespaces: ReadonlySet<string>;
  /** The local cluster's description, for its components' endpoints and pids; absent with --kubeconfig. */
  local?: ClusterDescription;
  signal: AbortSignal;
}

/** Started by one step and gathered by a later one (or at the end of an interrupted run). */
export interface Measurement {
  start(): Promise<void>;
  gather(): Promise<MeasurementResult>;
}

export type MeasurementFactory = (
  identifier: string,
  params: Record<string, Value>,
  context: MeasurementContext,
) => Measurement;
