import type { PeerResult } from "./result.js";

/**
 * Per-pod counts left out of the fidelity figure: lease renewals and the controllers' status writes
 * (Deployments, ReplicaSets) over the pod phase scale with how long it took, not with the pods, and
 * the steady-state rows already compare the heartbeats.
 */
const NOT_PER_POD = /^\S+ (leases|deployments|replicasets|limitranges)(\/|$)/;

/** The band the issue asks every ratio to fall in. */
export const FIDELITY_BAND = { low: 0.85, high: 1.15 };

export interface FidelityRow {
  /** "GET nodes", "WATCH pods" (open watches), ... */
  key: string;
  kind: "requests per node per minute" | "watches per node" | "requests per pod";
  ours: number;
  kubemark: number;
  /** ours / kubemark; Infinity when kubemark sends none, 0 when we send none. */
  ratio: number;
  inBand: boolean;
}

/**
 * Our fidelity mode against upstream's hollow node, which runs the real kubelet and kube-proxy code and
 * so is the reference for what a real node sends: per request kind, and per watched resource.
 */
export function fidelityRows(ours: PeerResult, kubemark: PeerResult): FidelityRow[] {
  const rows: FidelityRow[] = [];
  const compare = (kind: FidelityRow["kind"], a: Record<string, number>, b: Record<string, number>) => {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (kind !== "watches per node" && key.startsWith("WATCH ")) continue;
      if (kind === "requests per pod" && NOT_PER_POD.test(key)) continue;
      const o = a[key] ?? 0;
      const k = b[key] ?? 0;
      const ratio = k === 0 ? Infinity : o / k;
      rows.push({
        key,
        kind,
        ours: o,
        kubemark: k,
        ratio: +ratio.toFixed(3),
        inBand: ratio >= FIDELITY_BAND.low && ratio <= FIDELITY_BAND.high,
      });
    }
  };
  compare(
    "requests per node per minute",
    ours.load.requestsPerNodePerMinute,
    kubemark.load.requestsPerNodePerMinute,
  );
  compare("watches per node", ours.load.watchesPerNode, kubemark.load.watchesPerNode);
  if (ours.pods && kubemark.pods)
    compare("requests per pod", ours.pods.requestsPerPod, kubemark.pods.requestsPerPod);
  // Worst first: furthest from 1 on a log scale, so 0.5 and 2 are equally bad.
  const distance = (r: FidelityRow) =>
    r.ratio === 0 || r.ratio === Infinity ? Infinity : Math.abs(Math.log(r.ratio));
  return rows.sort((a, b) => distance(b) - distance(a) || b.kubemark + b.ours - (a.kubemark + a.ours));
}
