/**
 * The kubelet's own admission check for a pod bound to its node (pkg/kubelet/lifecycle/predicate.go):
 * the scheduler may have decided on stale information, so the node re-checks before starting anything.
 * Checks run in the kubelet's order and the first failure is the one reported.
 */

import type { Pod, ResourceList, Taint } from "../../client/types.js";
import { matchesNodeSelectorAndAffinity } from "./node-selector.js";
import { resourceAmount } from "./quantity.js";
import { heldRequests, type ResourceAmounts } from "./resources.js";
import { findUntoleratedTaint } from "./taints.js";

export interface NodeAdmissionContext {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  allocatable: ResourceList;
}

/**
 * A pod the node holds, with the requests it was admitted with: the kubelet checks new pods against the
 * resources it allocated to the others, computed once each, not re-read from their specs.
 */
export interface AdmittedPod {
  readonly pod: Pod;
  readonly requests: ReadonlyMap<string, number>;
}

export function admittedPod(pod: Pod): AdmittedPod {
  return { pod, requests: heldRequests(pod) };
}

/**
 * The pods that count against a node (admitted and not terminal) and the sum of their requests, kept as
 * they come and go. The kubelet sums the requests of every active pod at each admission; a running sum
 * gives the same answer without a pass over a node's pods per pod it admits. Amounts are whole numbers
 * (millicores, bytes), so the sum stays exact through additions and removals.
 */
export class NodeAllocation {
  private readonly holders = new Map<string, AdmittedPod>();
  private readonly used: ResourceAmounts = new Map();

  constructor(admitted: Iterable<AdmittedPod> = []) {
    for (const pod of admitted) this.hold(pod);
  }

  get podCount(): number {
    return this.holders.size;
  }

  pods(): IterableIterator<AdmittedPod> {
    return this.holders.values();
  }

  /** The pod held under this uid, if any. */
  holding(uid: string): AdmittedPod | undefined {
    return this.holders.get(uid);
  }

  usedOf(resource: string): number {
    return this.used.get(resource) ?? 0;
  }

  /** Counts the pod against the node; a pod already counted is not counted twice. */
  hold(admitted: AdmittedPod): void {
    const uid = admitted.pod.metadata.uid ?? "";
    if (this.holders.has(uid)) return;
    this.holders.set(uid, admitted);
    for (const [name, amount] of admitted.requests) this.used.set(name, this.usedOf(name) + amount);
  }

  release(uid: string): void {
    const admitted = this.holders.get(uid);
    if (!admitted) return;
    this.holders.delete(uid);
    for (const [name, amount] of admitted.requests) this.used.set(name, this.usedOf(name) - amount);
  }
}

export type AdmissionResult = { admitted: true } | { admitted: false; reason: string; message: string };

/** Hollow nodes pretend to be Linux machines. */
const NODE_OS = "linux";
const NATIVE_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage", "pods"]);

function predicateFailure(predicate: string, description: string): AdmissionResult {
  return { admitted: false, reason: predicate, message: `Predicate ${predicate} failed: ${description}` };
}

function insufficient(resource: string, requested: number, used: number, capacity: number): AdmissionResult {
  return {
    admitted: false,
    reason: `OutOf${resource}`,
    message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
  };
}

/**
 * A scalar resource the kubelet checks besides the native ones: any other name the node knows, and none of
 * the extended resources (vendor-domain names) it does not know.
 */
function isCheckedScalar(name: string, allocatable: ResourceList): boolean {
  if (NATIVE_RESOURCES.has(name)) return false;
  const extended = name.includes("/") && !name.includes("kubernetes.io/") && !name.startsWith("requests.");
  return !extended || allocatable[name] !== undefined;
}

function checkResources(
  pod: Pod,
  allocatable: ResourceList,
  allocation: NodeAllocation,
): AdmissionResult | undefined {
  const capacity = (name: string): number => {
    const quantity = allocatable[name];
    return quantity === undefined ? 0 : resourceAmount(name, quantity);
  };
  // The pod itself is left out, should the node already count it.
  const self = allocation.holding(pod.metadata.uid ?? "");
  const others = allocation.podCount - (self ? 1 : 0);
  if (others + 1 > capacity("pods")) return insufficient("pods", 1, others, capacity("pods"));

  const requested = heldRequests(pod);
  const scalar = [...requested.keys()].filter((name) => isCheckedScalar(name, allocatable)).sort();
  for (const name of ["cpu", "memory", "ephemeral-storage", ...scalar]) {
    const amount = requested.get(name) ?? 0;
    if (amount <= 0) continue;
    const inUse = allocation.usedOf(name) - (self?.requests.get(name) ?? 0);
    if (amount > capacity(name) - inUse) return insufficient(name, amount, inUse, capacity(name));
  }
  return undefined;
}

type HostPort = { hostIP: string; protocol: string; port: number };

function hostPorts(pod: Pod): HostPort[] {
  return pod.spec.containers.flatMap((container) =>
    (container.ports ?? [])
      .filter((port) => (port.hostPort ?? 0) > 0)
      .map((port) => ({
        hostIP: port.hostIP || "0.0.0.0",
        protocol: port.protocol || "TCP",
        port: port.hostPort!,
      })),
  );
}

function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.hostIP === b.hostIP || a.hostIP === "0.0.0.0" || b.hostIP === "0.0.0.0";
}

/**
 * `allocation` holds the pods this node runs (not terminal): their requests count against it. The message is
 * the kubelet's admission message; the pod status prefixes it with "Pod was rejected: ".
 */
export function admitPod(pod: Pod, node: NodeAdmissionContext, allocation: NodeAllocation): AdmissionResult {
  const osLabel = pod.metadata.labels?.["kubernetes.io/os"];
  if (osLabel !== undefined && osLabel !== NODE_OS) {
    return {
      admitted: false,
      reason: "PodOSSelectorNodeLabelDoesNotMatch",
      message: "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label",
    };
  }
  if (pod.spec.os !== undefined && pod.spec.os.name !== NODE_OS) {
    return {
      admitted: false,
      reason: "PodOSNotSupported",
      message: "Failed to admit pod as the OS field doesn't match node OS",
    };
  }

  const resourceFailure = checkResources(pod, node.allocatable, allocation);
  if (resourceFailure) return resourceFailure;

  if (!matchesNodeSelectorAndAffinity(pod, node)) {
    return predicateFailure("NodeAffinity", "node(s) didn't match Pod's node affinity/selector");
  }
  if (pod.spec.nodeName && pod.spec.nodeName !== node.name) {
    return predicateFailure("NodeName", "node(s) didn't match the requested node name");
  }
  const wanted = hostPorts(pod);
  const taken =
    wanted.length > 0
      ? [...allocation.pods()]
          .filter((other) => other.pod.metadata.uid !== pod.metadata.uid)
          .flatMap((other) => hostPorts(other.pod))
      : [];
  if (wanted.some((port) => taken.some((other) => portsConflict(port, other)))) {
    return predicateFailure("NodePorts", "node(s) didn't have free ports for the requested pod ports");
  }
  // The kubelet only enforces NoExecute taints; NoSchedule is the scheduler's business.
  if (
    findUntoleratedTaint(node.taints, pod.spec.tolerations ?? [], (taint) => taint.effect === "NoExecute")
  ) {
    return predicateFailure("TaintToleration", "node(s) had taints that the pod didn't tolerate");
  }
  return { admitted: true };
}
