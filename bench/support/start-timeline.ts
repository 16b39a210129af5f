import { isConditionTrue } from "../../src/client/conditions.js";
import type { Node } from "../../src/client/types.js";
import { nearestRankPercentile } from "../../src/measurements/percentile.js";

/** What a starting node reaches, in order: its Node exists, it has a podCIDR, it is Ready. */
export const MILESTONES = ["registered", "podCIDR", "ready"] as const;
export type Milestone = (typeof MILESTONES)[number];

/** Seconds from the start until half, nine in ten, and all of the nodes had reached a milestone. */
export interface MilestoneSeconds {
  p50: number | null;
  p90: number | null;
  all: number | null;
}

/**
 * Seconds from `startMs` until the given percentage of `total` nodes had reached a milestone (the nearest
 * rank, as ClusterLoader2 takes it), from the times each node was first seen reaching it; null when fewer
 * nodes than that reached it.
 */
export function secondsUntil(reachedAtMs: number[], total: number, startMs: number, percent: number) {
  const notReached: number[] = new Array(Math.max(total - reachedAtMs.length, 0)).fill(Infinity);
  const sorted = [...reachedAtMs, ...notReached].sort((a, b) => a - b);
  const at = nearestRankPercentile(sorted, percent);
  return Number.isFinite(at) ? +((at - startMs) / 1000).toFixed(1) : null;
}

/**
 * Where a start's time goes: when each node was first seen registered, with a podCIDR and Ready, as the
 * start's readiness watch hears its Nodes (`seen`). A slow start shows whether registration (the API server
 * taking the nodes' POSTs), the node IPAM controller, or the nodes' status reports held it back.
 */
export class StartTimeline {
  private readonly reachedAt = new Map<Milestone, Map<string, number>>(
    MILESTONES.map((m) => [m, new Map<string, number>()]),
  );

  readonly seen = (node: Node): void => {
    const now = performance.now();
    const name = node.metadata.name!;
    const note = (milestone: Milestone) => {
      const times = this.reachedAt.get(milestone)!;
      if (!times.has(name)) times.set(name, now);
    };
    note("registered");
    if (node.spec?.podCIDR) note("podCIDR");
    if (isConditionTrue(node, "Ready")) note("ready");
  };

  summary(startMs: number, total: number): Record<Milestone, MilestoneSeconds> {
    const of = (milestone: Milestone): MilestoneSeconds => {
      const times = [...this.reachedAt.get(milestone)!.values()];
      return {
        p50: secondsUntil(times, total, startMs, 50),
        p90: secondsUntil(times, total, startMs, 90),
        all: secondsUntil(times, total, startMs, 100),
      };
    };
    return { registered: of("registered"), podCIDR: of("podCIDR"), ready: of("ready") };
  }
}
