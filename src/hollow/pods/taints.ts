/** Taint toleration, as Kubernetes' Toleration.ToleratesTaint defines it. */

import type { Taint, Toleration } from "../../client/types.js";

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator || "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (toleration.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

/** The first taint picked by `relevant` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  relevant: (taint: Taint) => boolean,
): Taint | undefined {
  return taints.find(
    (taint) => relevant(taint) && !tolerations.some((toleration) => tolerates(toleration, taint)),
  );
}
