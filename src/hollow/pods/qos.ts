/** The pod's quality-of-service class, as Kubernetes computes it from cpu and memory. */

import type { Pod } from "../../client/types.js";
import { resourceAmount } from "./quantity.js";
import { containerRequests } from "./resources.js";

export type QOSClass = "Guaranteed" | "Burstable" | "BestEffort";

const QOS_RESOURCES = ["cpu", "memory"];

/** The class already on the pod's status wins: the API server sets it at creation and it never changes. */
export function podQOSClass(pod: Pod): QOSClass {
  const recorded = pod.status?.qosClass;
  if (recorded === "Guaranteed" || recorded === "Burstable" || recorded === "BestEffort") return recorded;

  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const container of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    const containerLimits = container.resources?.limits ?? {};
    const positiveLimits = new Set<string>();
    for (const name of QOS_RESOURCES) {
      const request = containerRequests(container)[name];
      const requested = request === undefined ? 0 : resourceAmount(name, request);
      if (requested > 0) requests.set(name, (requests.get(name) ?? 0) + requested);
      const limit = containerLimits[name];
      const limited = limit === undefined ? 0 : resourceAmount(name, limit);
      if (limited > 0) {
        positiveLimits.add(name);
        limits.set(name, (limits.get(name) ?? 0) + limited);
      }
    }
    if (!QOS_RESOURCES.every((name) => positiveLimits.has(name))) guaranteed = false;
  }

  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  const requestsMatchLimits = [...requests].every(([name, amount]) => limits.get(name) === amount);
  return guaranteed && requestsMatchLimits && requests.size === limits.size ? "Guaranteed" : "Burstable";
}
