/**
 * The hollow kubelet's pod lifecycle: pure functions from (pod, remembered runtime, now) to the next
 * runtime and the API calls to make. No I/O and no timers: the node driver stores the runtime,
 * writes `status`, deletes the pod when asked, and arms one timer for `wakeAt`.
 */

import type { Pod, PodStatus } from "../../client/types.js";
import { adoptedRuntime, initialWaitingReason, isAdoptable } from "./adoption.js";
import type { AdmissionResult } from "./admission.js";
import {
  endRuns,
  exitInitContainer,
  startContainers,
  startNextInitContainer,
  stopAll,
  stopSidecars,
} from "./container-actions.js";
import { waitingContainer } from "./container-status.js";
import type { PodIPAllocator } from "./ip-allocator.js";
import { currentPhase, podStatusOf, statusCovers } from "./pod-status.js";
import { copyForChange, hasStartedAnyContainer, type PodRuntime, type PodState } from "./runtime.js";
import { namedDurations, stageFacts } from "./stage-facts.js";
import { DEFAULT_STAGES, sampleDelay, stageMatches, validateStages, type Stage } from "./stages.js";
import { rfc3339 } from "./timestamp.js";

export interface PodLifecycleOptions {
  /** Uniform randomness in [0, 1) for stage delays. */
  rand: () => number;
  /** The stage table; DEFAULT_STAGES when absent. Validated on construction. */
  stages?: readonly Stage[];
  /** How long containers of Never/OnFailure pods (and kubemark.io/fail targets) run. */
  runTimeMs?: number;
  /** Upper bound on a graceful stop, whatever the pod's grace period. */
  stopTimeMs?: number;
}

/** What the lifecycle needs from the node the pod is bound to. */
export interface PodNodeContext {
  nodeIP: string;
  /** admitPod against this node and the pods it holds (those whose runtime occupiesNode). */
  admit(pod: Pod): AdmissionResult;
  ips: Pick<PodIPAllocator, "allocate" | "reserve" | "release">;
}

export interface Step {
  /** Store this in place of the runtime passed in. */
  runtime: PodRuntime;
  /** The full status to PATCH onto pods/<name>/status; present only when it changed. */
  status?: PodStatus;
  /** DELETE the pod with gracePeriodSeconds=0 and a UID precondition, after writing `status`. */
  deletePod?: true;
  /** Call wake() at this time (ms); undefined when nothing is scheduled. Replaces any earlier timer. */
  wakeAt?: number;
}

export const DEFAULT_RUN_TIME_MS = 5000;
export const DEFAULT_STOP_TIME_MS = 1000;

/** Zero-delay stages fire within one call; this many in a row means the table loops. */
const MAX_CHAINED_STAGES = 64;

const DELETION_STATES: ReadonlySet<PodState> = new Set(["Stopping", "Stopped", "Deleted"]);

export class PodLifecycle {
  private readonly stages: readonly Stage[];
  private readonly stagesByName: ReadonlyMap<string, Stage>;
  private readonly rand: () => number;
  private readonly durations: { runTimeMs: number; stopTimeMs: number };

  constructor(options: PodLifecycleOptions) {
    this.stages = validateStages(structuredClone(options.stages ?? DEFAULT_STAGES));
    this.stagesByName = new Map(this.stages.map((stage) => [stage.name, stage]));
    this.rand = options.rand;
    this.durations = {
      runTimeMs: options.runTimeMs ?? DEFAULT_RUN_TIME_MS,
      stopTimeMs: options.stopTimeMs ?? DEFAULT_STOP_TIME_MS,
    };
  }

  /** The pod watch delivered this pod (added, or updated, possibly with deletionTimestamp set). */
  observe(pod: Pod, runtime: PodRuntime | undefined, now: number, ctx: PodNodeContext): Step {
    if (runtime === undefined) return this.firstSight(pod, now, ctx);
    if (this.deletionBegins(pod, runtime)) return this.handleDeletion(pod, copyForChange(runtime), now, ctx);
    // Outside a deletion an update changes nothing the kubelet derives its status from, except the
    // conditions readiness gates read: most updates are the echoes of this kubelet's own writes.
    if (runtime.written && !pod.spec.readinessGates?.length) return { runtime, wakeAt: runtime.next?.at };
    // A shallow copy leaves the input intact; only `written` changes.
    return this.finish(pod, { ...runtime }, now, ctx);
  }

  /** The wakeAt of the last step has come. Early or stale calls change nothing. */
  wake(pod: Pod, runtime: PodRuntime, now: number, ctx: PodNodeContext): Step {
    const due = runtime.next;
    if (due === undefined || due.at > now) return { runtime, wakeAt: due?.at };
    const stage = this.stagesByName.get(due.stage);
    if (stage === undefined)
      throw new Error(`pod ${runtime.uid} waits for stage "${due.stage}", which is not in the stage table`);
    const next = copyForChange(runtime);
    const step: Partial<Step> = {};
    this.enter(stage.to, pod, next, now, ctx, step);
    this.settle(pod, next, now, ctx, step);
    return this.finish(pod, next, now, ctx, step);
  }

  /** The pod is gone from the API server: its IP goes back to the node. Drop the runtime. */
  forget(uid: string, ctx: PodNodeContext): void {
    ctx.ips.release(uid);
  }

  private firstSight(pod: Pod, now: number, ctx: PodNodeContext): Step {
    if (isAdoptable(pod)) {
      const runtime = adoptedRuntime(pod, now);
      if (runtime.podIP && !runtime.finalPhase && !pod.spec.hostNetwork)
        ctx.ips.reserve(runtime.uid, runtime.podIP);
      if (this.deletionBegins(pod, runtime)) return this.handleDeletion(pod, runtime, now, ctx);
      const step: Partial<Step> = {};
      this.settle(pod, runtime, now, ctx, step);
      return this.finish(pod, runtime, now, ctx, step);
    }

    const runtime: PodRuntime = {
      uid: pod.metadata.uid ?? "",
      state: "Admitted",
      enteredAt: now,
      startTime: rfc3339(now),
      sandboxReady: false,
      initContainers: [],
      containers: [],
      backOff: {},
    };
    if (pod.metadata.deletionTimestamp) return this.deleteNow(runtime, ctx);

    const admission = ctx.admit(pod);
    if (!admission.admitted) {
      const rejection = { reason: admission.reason, message: admission.message };
      return this.finish(pod, { ...runtime, state: "Rejected", finalPhase: "Failed", rejection }, now, ctx);
    }
    if (pod.spec.hostNetwork) runtime.podIP = ctx.nodeIP;
    const waiting = initialWaitingReason(pod);
    runtime.initContainers = (pod.spec.initContainers ?? []).map((spec) => waitingContainer(spec, waiting));
    runtime.containers = pod.spec.containers.map((spec) => waitingContainer(spec, waiting));
    const step: Partial<Step> = {};
    this.settle(pod, runtime, now, ctx, step);
    return this.finish(pod, runtime, now, ctx, step);
  }

  /**
   * Deletion of a terminal pod, or of one whose containers never started, needs no stop: the pod is
   * deleted at once. Otherwise the containers are stopped through the Stopping stages.
   */
  private handleDeletion(pod: Pod, runtime: PodRuntime, now: number, ctx: PodNodeContext): Step {
    if (runtime.finalPhase || !hasStartedAnyContainer(runtime)) return this.deleteNow(runtime, ctx);
    const step: Partial<Step> = {};
    this.enter("Stopping", pod, runtime, now, ctx, step);
    this.settle(pod, runtime, now, ctx, step);
    return this.finish(pod, runtime, now, ctx, step);
  }

  private deletionBegins(pod: Pod, runtime: PodRuntime): boolean {
    return Boolean(pod.metadata.deletionTimestamp) && !DELETION_STATES.has(runtime.state);
  }

  private deleteNow(runtime: PodRuntime, ctx: PodNodeContext): Step {
    runtime.state = "Deleted";
    runtime.next = undefined;
    ctx.ips.release(runtime.uid);
    return { runtime, deletePod: true };
  }

  /** Schedules the first matching stage for the current state, firing zero-delay ones right away. */
  private settle(pod: Pod, runtime: PodRuntime, now: number, ctx: PodNodeContext, step: Partial<Step>): void {
    for (let chained = 0; ; chained++) {
      runtime.next = undefined;
      const facts = stageFacts(pod, runtime);
      const stage = this.stages.find((candidate) =>
        stageMatches(candidate, runtime.state as Stage["from"], facts),
      );
      if (stage === undefined) return;
      const at =
        runtime.enteredAt +
        sampleDelay(stage.delay, this.rand, namedDurations(pod, runtime, now, this.durations));
      if (at > now) {
        runtime.next = { stage: stage.name, at };
        return;
      }
      if (chained === MAX_CHAINED_STAGES) {
        throw new Error(`stage "${stage.name}" keeps firing without delay: the stage table loops`);
      }
      this.enter(stage.to, pod, runtime, now, ctx, step);
    }
  }

  private enter(
    state: PodState,
    pod: Pod,
    runtime: PodRuntime,
    now: number,
    ctx: PodNodeContext,
    step: Partial<Step>,
  ): void {
    runtime.state = state;
    runtime.enteredAt = now;
    switch (state) {
      case "SandboxReady":
        if (!runtime.podIP) runtime.podIP = ctx.ips.allocate(runtime.uid);
        runtime.sandboxReady = true;
        break;
      case "InitContainerRunning":
        startNextInitContainer(pod, runtime, now);
        break;
      case "InitContainerExited":
        exitInitContainer(pod, runtime, now);
        break;
      case "ContainersRunning":
        startContainers(pod, runtime, now);
        break;
      case "ContainersExited":
        endRuns(pod, runtime, now);
        break;
      case "Stopped":
        stopAll(pod, runtime, now);
        break;
      case "Deleted":
        step.deletePod = true;
        break;
    }
    const phase = currentPhase(pod, runtime);
    if (phase === "Succeeded" || phase === "Failed") {
      // The kubelet tears the sandbox down once the pod is over; its IP goes back to the pool.
      runtime.finalPhase = phase;
      stopSidecars(pod, runtime, now);
      runtime.sandboxReady = false;
      ctx.ips.release(runtime.uid);
    }
  }

  private finish(
    pod: Pod,
    runtime: PodRuntime,
    now: number,
    ctx: PodNodeContext,
    step: Partial<Step> = {},
  ): Step {
    const result: Step = { ...step, runtime, wakeAt: runtime.next?.at };
    // A pod already being deleted gets no more writes, except the final one of the stop that deleted it.
    if (runtime.state === "Finished" || (runtime.state === "Deleted" && !step.deletePod)) return result;
    // The kubelet computes a pod's status once per sync, and one sync both creates the sandbox and starts
    // what comes next: a sandbox about to move on is reported with that next state, not on its own.
    if (runtime.state === "SandboxReady" && runtime.next !== undefined) return result;
    const status = podStatusOf(pod, runtime, ctx.nodeIP, now);
    if (!statusCovers(runtime.written ?? pod.status, status)) result.status = status;
    runtime.written = status;
    return result;
  }
}

export { occupiesNode } from "./runtime.js";
export type { PodRuntime, PodState } from "./runtime.js";
