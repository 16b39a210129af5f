/** What the stage table's selectors and named delays see of a pod at the moment a stage is picked. */

import type { Pod } from "../../client/types.js";
import { awaitsRestart, backOffWaitMs, initContainerDone, runEndsOnItsOwn } from "./container-actions.js";
import { gracePeriodMs, restartPolicyOf, runTimeMs } from "./pod-settings.js";
import { isSidecar } from "./resources.js";
import { isRunning, lastTermination, type PodRuntime } from "./runtime.js";
import type { NamedDurations, StageFacts } from "./stages.js";

function regularInitContainers(pod: Pod, runtime: PodRuntime) {
  const specs = pod.spec.initContainers ?? [];
  return runtime.initContainers.filter((_, i) => !isSidecar(specs[i]!));
}

export function stageFacts(pod: Pod, runtime: PodRuntime): StageFacts {
  const regularInits = regularInitContainers(pod, runtime);
  return {
    restartPolicy: restartPolicyOf(pod),
    hostNetwork: pod.spec.hostNetwork === true,
    initContainerRunning: regularInits.some(isRunning),
    initContainersPending: (pod.spec.initContainers ?? []).some(
      (spec, i) => !initContainerDone(spec, runtime.initContainers[i]!),
    ),
    failed: [...regularInits, ...runtime.containers].some(
      (status) => !isRunning(status) && (lastTermination(status)?.exitCode ?? 0) !== 0,
    ),
    restarting:
      regularInits.some((status) => awaitsRestart(pod, status, true)) ||
      runtime.containers.some((status) => awaitsRestart(pod, status, false)),
    runEnds: pod.spec.containers.some(
      (spec, i) => isRunning(runtime.containers[i]) && runEndsOnItsOwn(pod, spec.name),
    ),
  };
}

export function namedDurations(
  pod: Pod,
  runtime: PodRuntime,
  now: number,
  defaults: { runTimeMs: number; stopTimeMs: number },
): NamedDurations {
  const restarting = [
    ...regularInitContainers(pod, runtime).filter((status) => awaitsRestart(pod, status, true)),
    ...runtime.containers.filter((status) => awaitsRestart(pod, status, false)),
  ];
  return {
    runTime: runTimeMs(pod, defaults.runTimeMs),
    backOff: Math.max(0, ...restarting.map((status) => backOffWaitMs(runtime, status, now))),
    gracePeriod: gracePeriodMs(pod, defaults.stopTimeMs),
  };
}
