/** What entering each lifecycle state does to the pod's containers. */

import type { Container, ContainerStatus, Pod } from "../../client/types.js";
import { backOffAfterRestart, restartWaitMs } from "./backoff.js";
import {
  crashLoopingContainer,
  exitedContainer,
  startedContainer,
  unaccountedContainer,
} from "./container-status.js";
import { failsAtEndOfRun, restartPolicyOf, restartsAfterExit } from "./pod-settings.js";
import { isSidecar } from "./resources.js";
import { hasRun, isRunning, lastTermination, type PodRuntime } from "./runtime.js";
import { parseTimestamp } from "./timestamp.js";

function finishedAtMs(status: ContainerStatus, fallback: number): number {
  return parseTimestamp(lastTermination(status)?.finishedAt) ?? fallback;
}

/** A regular init container is done when it exited 0; a sidecar once it has started. */
export function initContainerDone(spec: Container, status: ContainerStatus): boolean {
  if (isSidecar(spec)) return isRunning(status) && status.started === true;
  return status.state?.terminated?.exitCode === 0;
}

/** Not running, and the restart policy will start it again. */
export function awaitsRestart(pod: Pod, status: ContainerStatus, initContainer: boolean): boolean {
  const previousRun = isRunning(status) ? undefined : lastTermination(status);
  return previousRun !== undefined && restartsAfterExit(pod, previousRun.exitCode, initContainer);
}

/** Whether a running regular container stops by itself when its run time is over. */
export function runEndsOnItsOwn(pod: Pod, containerName: string): boolean {
  return restartPolicyOf(pod) !== "Always" || failsAtEndOfRun(pod, containerName, false);
}

/** The back-off a restarting container still has to wait, counted from its exit. */
export function backOffWaitMs(runtime: PodRuntime, status: ContainerStatus, now: number): number {
  return restartWaitMs(runtime.backOff[status.name], finishedAtMs(status, now));
}

function start(
  pod: Pod,
  runtime: PodRuntime,
  spec: Container,
  previous: ContainerStatus,
  now: number,
  ready: boolean,
) {
  if (lastTermination(previous)) {
    runtime.backOff[spec.name] = backOffAfterRestart(
      runtime.backOff[spec.name],
      finishedAtMs(previous, now),
      now,
    );
  }
  return startedContainer(pod, spec, previous, now, ready);
}

function exit(
  pod: Pod,
  runtime: PodRuntime,
  status: ContainerStatus,
  exitCode: number,
  initContainer: boolean,
  now: number,
) {
  const exited = exitedContainer(status, exitCode, now, initContainer && exitCode === 0);
  if (!restartsAfterExit(pod, exitCode, initContainer)) return exited;
  const waitMs = backOffWaitMs(runtime, exited, now);
  return waitMs > 0 ? crashLoopingContainer(pod, exited, waitMs) : exited;
}

/** InitContainerRunning: (re)start the first init container that is not done, unless it already runs. */
export function startNextInitContainer(pod: Pod, runtime: PodRuntime, now: number): void {
  const specs = pod.spec.initContainers ?? [];
  const index = specs.findIndex((spec, i) => !initContainerDone(spec, runtime.initContainers[i]!));
  if (index < 0 || isRunning(runtime.initContainers[index])) return;
  const spec = specs[index]!;
  runtime.initContainers[index] = start(
    pod,
    runtime,
    spec,
    runtime.initContainers[index]!,
    now,
    isSidecar(spec),
  );
}

/** InitContainerExited: the running run-to-completion init container exits. */
export function exitInitContainer(pod: Pod, runtime: PodRuntime, now: number): void {
  (pod.spec.initContainers ?? []).forEach((spec, i) => {
    const status = runtime.initContainers[i]!;
    if (isSidecar(spec) || !isRunning(status)) return;
    runtime.initContainers[i] = exit(
      pod,
      runtime,
      status,
      failsAtEndOfRun(pod, spec.name, true) ? 1 : 0,
      true,
      now,
    );
  });
}

/** ContainersRunning: every regular container that is not running and may run is (re)started. */
export function startContainers(pod: Pod, runtime: PodRuntime, now: number): void {
  pod.spec.containers.forEach((spec, i) => {
    const status = runtime.containers[i]!;
    if (isRunning(status) || (hasRun(status) && !awaitsRestart(pod, status, false))) return;
    runtime.containers[i] = start(pod, runtime, spec, status, now, true);
  });
}

/**
 * ContainersExited: the running containers whose run ends exit (code 1 if kubemark.io/fail names
 * them). When no regular container is left running or due to restart, the sidecars are stopped.
 */
export function endRuns(pod: Pod, runtime: PodRuntime, now: number): void {
  pod.spec.containers.forEach((spec, i) => {
    const status = runtime.containers[i]!;
    if (!isRunning(status) || !runEndsOnItsOwn(pod, spec.name)) return;
    runtime.containers[i] = exit(
      pod,
      runtime,
      status,
      failsAtEndOfRun(pod, spec.name, false) ? 1 : 0,
      false,
      now,
    );
  });
  const workLeft = runtime.containers.some(
    (status) => isRunning(status) || awaitsRestart(pod, status, false),
  );
  if (!workLeft) stopSidecars(pod, runtime, now);
}

/** Sidecars get a normal stop once the pod's work is over. */
export function stopSidecars(pod: Pod, runtime: PodRuntime, now: number): void {
  (pod.spec.initContainers ?? []).forEach((spec, i) => {
    const status = runtime.initContainers[i]!;
    if (isSidecar(spec) && isRunning(status))
      runtime.initContainers[i] = exitedContainer(status, 0, now, false);
  });
}

/**
 * Stopped: running containers stop normally (exit 0). Containers caught between runs are recorded
 * the way the kubelet's TerminatePod records them; init containers that never ran stay waiting.
 */
export function stopAll(pod: Pod, runtime: PodRuntime, now: number): void {
  const stop = (status: ContainerStatus, initContainer: boolean, sidecar: boolean): ContainerStatus => {
    if (isRunning(status)) return exitedContainer(status, 0, now, initContainer && !sidecar);
    if (status.state?.terminated || (initContainer && !hasRun(status))) return status;
    return unaccountedContainer(status);
  };
  (pod.spec.initContainers ?? []).forEach((spec, i) => {
    runtime.initContainers[i] = stop(runtime.initContainers[i]!, true, isSidecar(spec));
  });
  runtime.containers = runtime.containers.map((status) => stop(status, false, false));
  runtime.sandboxReady = false;
}
