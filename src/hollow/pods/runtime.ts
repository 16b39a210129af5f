/** What the hollow kubelet remembers about one pod between events: plain data the node driver stores. */

import type { ContainerState, ContainerStatus, PodStatus } from "../../client/types.js";
import { cloneData } from "../../util/clone-data.js";
import type { BackOffEntry } from "./backoff.js";
import type { StageState } from "./stages.js";

export type PodState =
  | StageState
  /** Admission failed; the pod is Failed and nothing runs. */
  | "Rejected"
  /** The pod was already terminal when this kubelet first saw it. */
  | "Finished";

export type TerminalPhase = "Succeeded" | "Failed";

export interface PodRuntime {
  uid: string;
  state: PodState;
  /** When the pod entered `state` (ms); the next stage's delay counts from here. */
  enteredAt: number;
  /** The stage that fires at `at` (ms), when one is scheduled. */
  next?: { stage: string; at: number };
  startTime: string;
  podIP?: string;
  sandboxReady: boolean;
  /** In spec order, one per init container. */
  initContainers: ContainerStatus[];
  /** In spec order, one per container. */
  containers: ContainerStatus[];
  /** Crash-loop back-off per container name. */
  backOff: Record<string, BackOffEntry>;
  /** Set once the pod reaches Succeeded or Failed; a pod never leaves a terminal phase. */
  finalPhase?: TerminalPhase;
  rejection?: { reason: string; message: string };
  /** The last status written (or found already correct), to write only changes. */
  written?: PodStatus;
}

/**
 * A deep copy to change, leaving the runtime (and every status built from it) as it was. `written` is a
 * snapshot replaced whole, never changed in place, so the copy shares it.
 */
export function copyForChange(runtime: PodRuntime): PodRuntime {
  const { written, ...rest } = runtime;
  const copy: PodRuntime = cloneData(rest);
  if (written) copy.written = written;
  return copy;
}

type Termination = NonNullable<ContainerState["terminated"]>;

/** The end of the container's previous run: its state if terminated, its lastState while waiting to restart. */
export function lastTermination(status: ContainerStatus): Termination | undefined {
  if (status.state?.terminated) return status.state.terminated;
  return status.state?.waiting ? status.lastState?.terminated : undefined;
}

export function isRunning(status: ContainerStatus | undefined): boolean {
  return status?.state?.running !== undefined;
}

/** The container ran at some point: it is running, or it has a termination to show for it. */
export function hasRun(status: ContainerStatus): boolean {
  return isRunning(status) || lastTermination(status) !== undefined;
}

export function hasStartedAnyContainer(runtime: PodRuntime): boolean {
  return [...runtime.initContainers, ...runtime.containers].some(hasRun);
}

/** Whether the pod counts against the node's resources for admitting others. */
export function occupiesNode(runtime: PodRuntime): boolean {
  return runtime.finalPhase === undefined && runtime.state !== "Deleted";
}
