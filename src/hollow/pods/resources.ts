/** What a pod asks of its node, computed the way the scheduler and the kubelet compute it. */

import type { Container, Pod, ResourceList } from "../../client/types.js";
import { remembered } from "../../util/remembered.js";
import { resourceAmount } from "./quantity.js";

/** Resource name -> amount (millicores for cpu, units for everything else). */
export type ResourceAmounts = Map<string, number>;

/** A sidecar: an init container that keeps running next to the regular containers. */
export function isSidecar(container: Container): boolean {
  return container.restartPolicy === "Always";
}

/** A container's requests, with a limit standing in for a missing request as API defaulting does. */
export function containerRequests(container: Container): ResourceList {
  return { ...container.resources?.limits, ...container.resources?.requests };
}

function amounts(list: ResourceList | undefined): ResourceAmounts {
  const result: ResourceAmounts = new Map();
  for (const [name, quantity] of Object.entries(list ?? {})) result.set(name, resourceAmount(name, quantity));
  return result;
}

function addInto(target: ResourceAmounts, source: ResourceAmounts): void {
  for (const [name, amount] of source) target.set(name, (target.get(name) ?? 0) + amount);
}

function maxInto(target: ResourceAmounts, source: ResourceAmounts): void {
  for (const [name, amount] of source) target.set(name, Math.max(target.get(name) ?? 0, amount));
}

/**
 * The pod's effective requests: the larger of (regular containers + sidecars) and the peak of any
 * init container running next to the sidecars started before it, plus the pod overhead.
 */
export function podRequests(pod: Pod): ResourceAmounts {
  const total: ResourceAmounts = new Map();
  for (const container of pod.spec.containers) addInto(total, amounts(containerRequests(container)));

  const sidecars: ResourceAmounts = new Map();
  const initPeak: ResourceAmounts = new Map();
  for (const container of pod.spec.initContainers ?? []) {
    const requests = amounts(containerRequests(container));
    if (isSidecar(container)) {
      addInto(total, requests);
      addInto(sidecars, requests);
      maxInto(initPeak, sidecars);
    } else {
      addInto(requests, sidecars);
      maxInto(initPeak, requests);
    }
  }
  maxInto(total, initPeak);
  addInto(total, amounts(pod.spec.overhead));
  return total;
}

/**
 * Equal requests as one shared map: the pods of a workload all ask the same, and a node holds each pod's
 * requests for the pod's life (a map each is about 190 bytes, measured, that every major collection marks).
 */
const sharedRequests = remembered(
  (entries: string): ReadonlyMap<string, number> => new Map(JSON.parse(entries) as [string, number][]),
  1024,
);

/**
 * The pod heldRequests answered last, and its answer: a new pod's admission asks, then its node's record. By
 * identity: a decoded pod is never changed (each watch event brings a new object).
 */
let lastPod: Pod | undefined;
let lastRequests: ReadonlyMap<string, number> = new Map();

/** podRequests, read-only and shared with every other pod asking the same: for requests held while a pod runs. */
export function heldRequests(pod: Pod): ReadonlyMap<string, number> {
  if (pod !== lastPod) {
    lastRequests = sharedRequests(JSON.stringify([...podRequests(pod)]));
    lastPod = pod;
  }
  return lastRequests;
}
