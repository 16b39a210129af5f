/** Container statuses as the kubelet reports them through containerd. */

import type { Container, ContainerStatus, Pod } from "../../client/types.js";
import { formatGoSeconds } from "./duration.js";
import { imageID, normalizeImage, sha256 } from "./image-ref.js";
import { lastTermination } from "./runtime.js";
import { rfc3339 } from "./timestamp.js";

/** The kubelet's name for a pod in messages: name_namespace(uid). */
export function podRef(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace ?? "default"}(${pod.metadata.uid})`;
}

/** Unique per container instance and the same when recomputed, so adoption finds the IDs it wrote. */
function containerID(podUid: string, name: string, restartCount: number): string {
  return `containerd://${sha256(`${podUid}/${name}/${restartCount}`)}`;
}

/** Before the first start: ContainerCreating, or PodInitializing when the pod has init containers. */
export function waitingContainer(spec: Container, reason: string): ContainerStatus {
  return {
    name: spec.name,
    state: { waiting: { reason } },
    lastState: {},
    ready: false,
    restartCount: 0,
    image: spec.image ?? "",
    imageID: "",
    started: false,
  };
}

/** A (re)started container; a restart counts up and keeps the previous run as lastState. */
export function startedContainer(
  pod: Pod,
  spec: Container,
  previous: ContainerStatus,
  now: number,
  ready: boolean,
): ContainerStatus {
  const previousRun = lastTermination(previous);
  const restartCount = previousRun ? previous.restartCount + 1 : previous.restartCount;
  return {
    name: spec.name,
    state: { running: { startedAt: rfc3339(now) } },
    lastState: previousRun ? { terminated: previousRun } : (previous.lastState ?? {}),
    ready,
    restartCount,
    image: normalizeImage(spec.image ?? ""),
    imageID: imageID(spec.image ?? ""),
    containerID: containerID(pod.metadata.uid ?? "", spec.name, restartCount),
    started: true,
  };
}

/** A running container that exited: Completed for exit 0, Error otherwise. */
export function exitedContainer(
  status: ContainerStatus,
  exitCode: number,
  now: number,
  ready: boolean,
): ContainerStatus {
  return {
    ...status,
    state: {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? "Completed" : "Error",
        startedAt: status.state?.running?.startedAt,
        finishedAt: rfc3339(now),
        containerID: status.containerID,
      },
    },
    ready,
    started: false,
  };
}

/** An exited container held back before its restart. */
export function crashLoopingContainer(pod: Pod, exited: ContainerStatus, waitMs: number): ContainerStatus {
  const message = `back-off ${formatGoSeconds(waitMs)} restarting failed container=${exited.name} pod=${podRef(pod)}`;
  return {
    ...exited,
    state: { waiting: { reason: "CrashLoopBackOff", message } },
    lastState: { terminated: exited.state?.terminated },
    ready: false,
    started: false,
  };
}

/** What the kubelet records for a container that was not running when its pod terminated. */
export function unaccountedContainer(status: ContainerStatus): ContainerStatus {
  return {
    ...status,
    state: {
      terminated: {
        exitCode: 137,
        reason: "ContainerStatusUnknown",
        message: "The container could not be located when the pod was terminated",
      },
    },
    ready: false,
    started: false,
  };
}
