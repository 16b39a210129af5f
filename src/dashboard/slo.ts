/**
 * The published SLOs (kubernetes/community sig-scalability slos), as the dashboard colours them. For LIST
 * over a namespace this is 5 s, stricter than the 30 s that ClusterLoader2's APIResponsiveness gate (and
 * ours, src/measurements/api-responsiveness.ts) fails a run at: the picture shows the SLO itself.
 */
export const POD_STARTUP_SLO_MS = 5_000;

export interface ApiCallScope {
  verb: string;
  scope: string;
}

/** p99 thresholds: 1 s for mutating and single-object reads, 5 s for a namespace's LIST, 30 s for the cluster's. */
export function apiCallSloMs({ verb, scope }: ApiCallScope): number {
  if (verb === "LIST" && scope === "namespace") return 5_000;
  if (verb === "LIST" && scope === "cluster") return 30_000;
  return 1_000;
}

export type SloStatus = "ok" | "near" | "over";

/** "near" from half the threshold on, so a latency creeping towards its SLO shows before it breaks it. */
export function sloStatus(valueMs: number, thresholdMs: number): SloStatus {
  if (valueMs > thresholdMs) return "over";
  return valueMs >= thresholdMs / 2 ? "near" : "ok";
}
