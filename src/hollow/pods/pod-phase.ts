/** The pod phase from its container statuses, following the kubelet's getPhase. */

import type { ContainerStatus, PodSpec, PodStatus } from "../../client/types.js";
import { isSidecar } from "./resources.js";

export type PodPhase = NonNullable<PodStatus["phase"]>;

function statusOf(statuses: ContainerStatus[], name: string): ContainerStatus | undefined {
  return statuses.find((status) => status.name === name);
}

export function hasAnyRegularContainerStarted(spec: PodSpec, statuses: ContainerStatus[]): boolean {
  return spec.containers.some((container) => {
    const state = statusOf(statuses, container.name)?.state;
    return state?.running !== undefined || state?.terminated !== undefined;
  });
}

/** `podIsTerminal`: the kubelet has stopped the pod for good, so nothing will restart. */
export function podPhase(
  spec: PodSpec,
  initStatuses: ContainerStatus[],
  statuses: ContainerStatus[],
  podIsTerminal: boolean,
): PodPhase {
  let pendingInitialization = 0;
  let failedInitialization = 0;
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;

  for (const container of spec.initContainers ?? []) {
    const status = statusOf(initStatuses, container.name);
    const state = status?.state;
    if (isSidecar(container)) {
      // A sidecar that ran and stopped does not count towards the phase.
      if (state?.running) {
        if (!status?.started) pendingInitialization++;
        running++;
      } else if (state?.waiting) {
        if (!status?.lastState?.terminated) {
          pendingInitialization++;
          waiting++;
        }
      } else if (!state?.terminated) {
        pendingInitialization++;
        unknown++;
      }
      continue;
    }
    if (state?.running) pendingInitialization++;
    else if (state?.terminated) {
      if (state.terminated.exitCode !== 0) failedInitialization++;
    } else if (state?.waiting && status?.lastState?.terminated) {
      if (status.lastState.terminated.exitCode !== 0) failedInitialization++;
    } else pendingInitialization++;
  }

  for (const container of spec.containers) {
    const status = statusOf(statuses, container.name);
    const state = status?.state;
    if (state?.running) running++;
    else if (state?.terminated) {
      stopped++;
      if (state.terminated.exitCode === 0) succeeded++;
    } else if (state?.waiting) {
      if (status?.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }

  if (failedInitialization > 0 && spec.restartPolicy === "Never") return "Failed";
  if ((pendingInitialization > 0 && !hasAnyRegularContainerStarted(spec, statuses)) || waiting > 0)
    return "Pending";
  if (running > 0 && unknown === 0) return "Running";
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? "Succeeded" : "Failed";
    const restartPolicy = spec.restartPolicy ?? "Always";
    if (restartPolicy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    return restartPolicy === "Never" ? "Failed" : "Running";
  }
  return "Pending";
}
