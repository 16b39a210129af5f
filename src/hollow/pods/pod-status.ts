/** The full pod status the hollow kubelet writes, derived from what it remembers about the pod. */

import type { Pod, PodStatus } from "../../client/types.js";
import { KUBELET_CONDITIONS, kubeletConditions, othersConditions } from "./pod-conditions.js";
import { podPhase, type PodPhase } from "./pod-phase.js";
import { podQOSClass } from "./qos.js";
import type { PodRuntime } from "./runtime.js";

/** The phase now; a terminal phase, once reached, is kept. */
export function currentPhase(pod: Pod, runtime: PodRuntime): PodPhase {
  if (runtime.finalPhase) return runtime.finalPhase;
  const stopped = runtime.state === "Stopped" || runtime.state === "Deleted";
  return podPhase(pod.spec, runtime.initContainers, runtime.containers, stopped);
}

export function podStatusOf(pod: Pod, runtime: PodRuntime, nodeIP: string, now: number): PodStatus {
  if (runtime.rejection) {
    return {
      phase: "Failed",
      reason: runtime.rejection.reason,
      message: `Pod was rejected: ${runtime.rejection.message}`,
      startTime: runtime.startTime,
      qosClass: podQOSClass(pod),
    };
  }
  const phase = currentPhase(pod, runtime);
  const foreign = othersConditions(pod.status);
  const previous = [runtime.written?.conditions ?? [], pod.status?.conditions ?? []];
  const conditions = kubeletConditions(
    pod,
    runtime.initContainers,
    runtime.containers,
    phase,
    runtime.sandboxReady,
    previous,
    now,
  );
  return {
    phase,
    conditions: [...foreign, ...conditions],
    hostIP: nodeIP,
    hostIPs: [{ ip: nodeIP }],
    ...(runtime.podIP ? { podIP: runtime.podIP, podIPs: [{ ip: runtime.podIP }] } : {}),
    startTime: runtime.startTime,
    // Shared with the runtime, which is copied before any change (copyForChange), so `written` stays as sent.
    ...(runtime.initContainers.length > 0 ? { initContainerStatuses: runtime.initContainers } : {}),
    // The kubelet sorts regular container statuses by name.
    containerStatuses: [...runtime.containers].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    ),
    qosClass: podQOSClass(pod),
  };
}

/**
 * Whether `have` already says everything `wanted` says, ignoring conditions the kubelet does not
 * own and fields `have` has beyond `wanted`. Lists of conditions and container statuses are
 * matched by type and name; null, undefined and {} in `wanted` ask for nothing.
 */
export function statusCovers(have: PodStatus | undefined, wanted: PodStatus): boolean {
  const owned = { ...wanted, conditions: wanted.conditions?.filter((c) => KUBELET_CONDITIONS.has(c.type)) };
  return covers(have, owned);
}

function covers(have: unknown, wanted: unknown): boolean {
  if (wanted === undefined || wanted === null) return true;
  if (Array.isArray(wanted)) {
    if (!Array.isArray(have)) return false;
    const key = identityKey(wanted);
    if (key)
      return wanted.every((item) =>
        covers(
          have.find((other) => other?.[key] === item[key]),
          item,
        ),
      );
    return have.length === wanted.length && wanted.every((item, index) => covers(have[index], item));
  }
  if (typeof wanted === "object") {
    // A loop, not Object.entries: this runs for every field of every status on every pod event.
    const haveObject = typeof have === "object" && have !== null;
    for (const field in wanted) {
      const value = (wanted as Record<string, unknown>)[field];
      if (value === undefined || value === null) continue;
      if (!haveObject || !covers((have as Record<string, unknown>)[field], value)) return false;
    }
    return true;
  }
  return have === wanted;
}

function identityKey(items: unknown[]): "type" | "name" | undefined {
  const first = items[0];
  if (typeof first !== "object" || first === null) return undefined;
  if (typeof (first as { type?: unknown }).type === "string") return "type";
  return typeof (first as { name?: unknown }).name === "string" ? "name" : undefined;
}
