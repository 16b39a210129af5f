/** How a pod asks to be run: its restart policy, grace period and the kubemark annotations. */

import type { Pod } from "../../client/types.js";
import { parseGoDuration } from "./duration.js";
import type { RestartPolicy } from "./stages.js";

/** How long each container runs before it exits on its own (Go duration, e.g. "30s", "1m30s"). */
export const RUN_TIME_ANNOTATION = "kubemark.io/run-time";
/** A container name, or "*" for every regular container, that exits with code 1 when its run ends. */
export const FAIL_ANNOTATION = "kubemark.io/fail";

const DEFAULT_GRACE_PERIOD_SECONDS = 30;

export function restartPolicyOf(pod: Pod): RestartPolicy {
  return pod.spec.restartPolicy ?? "Always";
}

/** Whether a container that exited with `exitCode` is started again. */
export function restartsAfterExit(pod: Pod, exitCode: number, initContainer: boolean): boolean {
  const policy = restartPolicyOf(pod);
  if (initContainer) return policy !== "Never" && exitCode !== 0;
  return policy === "Always" || (policy === "OnFailure" && exitCode !== 0);
}

/** "*" means the regular containers; an init container fails only when named. */
export function failsAtEndOfRun(pod: Pod, containerName: string, initContainer: boolean): boolean {
  const target = pod.metadata.annotations?.[FAIL_ANNOTATION]?.trim();
  return target === containerName || (target === "*" && !initContainer);
}

/** The annotation's run time, or `fallbackMs` when it is absent or not a Go duration. */
export function runTimeMs(pod: Pod, fallbackMs: number): number {
  const annotation = pod.metadata.annotations?.[RUN_TIME_ANNOTATION];
  return (annotation === undefined ? undefined : parseGoDuration(annotation.trim())) ?? fallbackMs;
}

/** The deletion's grace period, capped: hollow containers stop as fast as `stopTimeMs` allows. */
export function gracePeriodMs(pod: Pod, stopTimeMs: number): number {
  const seconds =
    pod.metadata.deletionGracePeriodSeconds ??
    pod.spec.terminationGracePeriodSeconds ??
    DEFAULT_GRACE_PERIOD_SECONDS;
  return Math.min(seconds * 1000, stopTimeMs);
}
