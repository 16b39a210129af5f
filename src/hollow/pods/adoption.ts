/**
 * Picking up pods that a previous run of this hollow kubelet already started: their containers keep
 * their IDs, start times and restart counts, and the lifecycle resumes where the status says it was.
 */

import { cloneData } from "../../util/clone-data.js";
import type { Container, ContainerStatus, Pod } from "../../client/types.js";
import { awaitsRestart } from "./container-actions.js";
import { waitingContainer } from "./container-status.js";
import { isSidecar } from "./resources.js";
import { hasRun, isRunning, type PodRuntime, type PodState } from "./runtime.js";
import { parseTimestamp, rfc3339 } from "./timestamp.js";

/** The kubelet's waiting reason for a container that has not started yet. */
export function initialWaitingReason(pod: Pod): string {
  return (pod.spec.initContainers ?? []).length > 0 ? "PodInitializing" : "ContainerCreating";
}

function isTerminalPhase(phase: string | undefined): phase is "Succeeded" | "Failed" {
  return phase === "Succeeded" || phase === "Failed";
}

/** A pod some kubelet already worked on, as opposed to one that was just bound. */
export function isAdoptable(pod: Pod): boolean {
  const status = pod.status;
  if (!status) return false;
  return (
    isTerminalPhase(status.phase) ||
    Boolean(status.startTime) ||
    Boolean(status.podIP) ||
    (status.containerStatuses?.length ?? 0) > 0 ||
    (status.initContainerStatuses?.length ?? 0) > 0
  );
}

function aligned(pod: Pod, specs: Container[], statuses: ContainerStatus[] | undefined): ContainerStatus[] {
  return specs.map((spec) => {
    const found = statuses?.find((status) => status.name === spec.name);
    return found ? cloneData(found) : waitingContainer(spec, initialWaitingReason(pod));
  });
}

function startedAtMs(status: ContainerStatus | undefined): number | undefined {
  return parseTimestamp(status?.state?.running?.startedAt);
}

/** The state whose next stage carries on from what the containers show. */
function resumePoint(pod: Pod, runtime: PodRuntime, now: number): { state: PodState; enteredAt: number } {
  const initSpecs = pod.spec.initContainers ?? [];
  const runningInit = initSpecs.findIndex(
    (spec, i) => !isSidecar(spec) && isRunning(runtime.initContainers[i]),
  );
  if (runningInit >= 0) {
    return {
      state: "InitContainerRunning",
      enteredAt: startedAtMs(runtime.initContainers[runningInit]) ?? now,
    };
  }
  if (runtime.containers.some(hasRun)) {
    if (runtime.containers.some((status) => awaitsRestart(pod, status, false))) {
      return { state: "ContainersExited", enteredAt: now };
    }
    // Runs are timed from the latest (re)start, so a Job pod finishes what is left of its run time.
    const starts = runtime.containers.filter(isRunning).map((status) => startedAtMs(status) ?? now);
    return { state: "ContainersRunning", enteredAt: starts.length > 0 ? Math.max(...starts) : now };
  }
  if (initSpecs.some((spec, i) => !isSidecar(spec) && awaitsRestart(pod, runtime.initContainers[i]!, true))) {
    return { state: "InitContainerExited", enteredAt: now };
  }
  return { state: runtime.sandboxReady ? "SandboxReady" : "Admitted", enteredAt: now };
}

/** The runtime for an adoptable pod. The caller reserves its IP when the pod still holds one. */
export function adoptedRuntime(pod: Pod, now: number): PodRuntime {
  const status = pod.status ?? {};
  const runtime: PodRuntime = {
    uid: pod.metadata.uid ?? "",
    state: "Finished",
    enteredAt: now,
    startTime: status.startTime ?? rfc3339(now),
    ...(status.podIP ? { podIP: status.podIP } : {}),
    sandboxReady: false,
    initContainers: aligned(pod, pod.spec.initContainers ?? [], status.initContainerStatuses),
    containers: aligned(pod, pod.spec.containers, status.containerStatuses),
    backOff: {},
  };
  if (isTerminalPhase(status.phase)) {
    runtime.finalPhase = status.phase;
    return runtime;
  }
  const sandboxCondition = status.conditions?.find(
    (condition) => condition.type === "PodReadyToStartContainers",
  );
  runtime.sandboxReady = sandboxCondition
    ? sandboxCondition.status === "True"
    : [...runtime.initContainers, ...runtime.containers].some(hasRun);
  Object.assign(runtime, resumePoint(pod, runtime, now));
  return runtime;
}
