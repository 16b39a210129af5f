/** The pod conditions the kubelet owns, as pkg/kubelet/status/generate.go computes them. */

import type { ContainerStatus, Pod, PodCondition } from "../../client/types.js";
import { hasAnyRegularContainerStarted, type PodPhase } from "./pod-phase.js";
import { isSidecar } from "./resources.js";
import { rfc3339 } from "./timestamp.js";

/** Conditions the kubelet writes; any other condition on the pod belongs to someone else and is kept. */
export const KUBELET_CONDITIONS: ReadonlySet<string> = new Set([
  "PodReadyToStartContainers",
  "Initialized",
  "Ready",
  "ContainersReady",
  "PodScheduled",
]);

/** The conditions of a status that other writers own (readiness gates, DisruptionTarget), in its order. */
export function othersConditions(status: { conditions?: PodCondition[] } | undefined): PodCondition[] {
  return (status?.conditions ?? []).filter((condition) => !KUBELET_CONDITIONS.has(condition.type));
}

type Condition = Pick<PodCondition, "type" | "status" | "reason" | "message">;

/** Go's %s of a []string. */
function goList(names: string[]): string {
  return `[${names.join(" ")}]`;
}

function find(statuses: ContainerStatus[], name: string): ContainerStatus | undefined {
  return statuses.find((status) => status.name === name);
}

function terminalReason(phase: PodPhase): string | undefined {
  if (phase === "Succeeded") return "PodCompleted";
  return phase === "Failed" ? "PodFailed" : undefined;
}

function initializedCondition(
  pod: Pod,
  initStatuses: ContainerStatus[],
  statuses: ContainerStatus[],
  phase: PodPhase,
): Condition {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const container of pod.spec.initContainers ?? []) {
    const status = find(initStatuses, container.name);
    if (!status) unknown.push(container.name);
    else if (isSidecar(container) ? !status.started : !status.ready) incomplete.push(container.name);
  }
  if (phase === "Succeeded" && unknown.length === 0)
    return { type: "Initialized", status: "True", reason: "PodCompleted" };
  if (hasAnyRegularContainerStarted(pod.spec, statuses)) return { type: "Initialized", status: "True" };
  const messages = [
    ...(unknown.length ? [`containers with unknown status: ${goList(unknown)}`] : []),
    ...(incomplete.length ? [`containers with incomplete status: ${goList(incomplete)}`] : []),
  ];
  if (messages.length === 0) return { type: "Initialized", status: "True" };
  return {
    type: "Initialized",
    status: "False",
    reason: "ContainersNotInitialized",
    message: messages.join(", "),
  };
}

function containersReadyCondition(
  pod: Pod,
  initStatuses: ContainerStatus[],
  statuses: ContainerStatus[],
  phase: PodPhase,
): Condition {
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (name: string, list: ContainerStatus[]): void => {
    const status = find(list, name);
    if (!status) unknown.push(name);
    else if (!status.ready) unready.push(name);
  };
  for (const container of pod.spec.initContainers ?? [])
    if (isSidecar(container)) check(container.name, initStatuses);
  for (const container of pod.spec.containers) check(container.name, statuses);

  if ((phase === "Succeeded" && unknown.length === 0) || phase === "Failed") {
    return { type: "ContainersReady", status: "False", reason: terminalReason(phase) };
  }
  const messages = [
    ...(unknown.length ? [`containers with unknown status: ${goList(unknown)}`] : []),
    ...(unready.length ? [`containers with unready status: ${goList(unready)}`] : []),
  ];
  if (messages.length === 0) return { type: "ContainersReady", status: "True" };
  return {
    type: "ContainersReady",
    status: "False",
    reason: "ContainersNotReady",
    message: messages.join(", "),
  };
}

/** Ready needs ContainersReady and every readiness gate's condition True on the pod. */
function readyCondition(pod: Pod, containersReady: Condition): Condition {
  if (containersReady.status !== "True") return { ...containersReady, type: "Ready" };
  const podConditions = pod.status?.conditions ?? [];
  const messages: string[] = [];
  for (const gate of pod.spec.readinessGates ?? []) {
    const condition = podConditions.find((c) => c.type === gate.conditionType);
    if (!condition) {
      messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    } else if (condition.status !== "True") {
      messages.push(
        `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${condition.status}`,
      );
    }
  }
  if (messages.length === 0) return { type: "Ready", status: "True" };
  return { type: "Ready", status: "False", reason: "ReadinessGatesNotReady", message: messages.join(", ") };
}

/**
 * The kubelet's conditions in the order it writes them. A condition keeps its lastTransitionTime
 * from `previous` (searched in order) while its status is unchanged.
 */
export function kubeletConditions(
  pod: Pod,
  initStatuses: ContainerStatus[],
  statuses: ContainerStatus[],
  phase: PodPhase,
  sandboxReady: boolean,
  previous: PodCondition[][],
  now: number,
): PodCondition[] {
  const containersReady = containersReadyCondition(pod, initStatuses, statuses, phase);
  const conditions: Condition[] = [
    { type: "PodReadyToStartContainers", status: sandboxReady ? "True" : "False" },
    initializedCondition(pod, initStatuses, statuses, phase),
    readyCondition(pod, containersReady),
    containersReady,
    { type: "PodScheduled", status: "True" },
  ];
  const earlier = previous.flat();
  return conditions.map(({ type, status, reason, message }) => {
    const before = earlier.find((condition) => condition.type === type);
    const keptTime = before?.status === status ? before.lastTransitionTime : undefined;
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: keptTime ?? rfc3339(now),
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
  });
}
