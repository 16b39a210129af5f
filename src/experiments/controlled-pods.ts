/** When a controller's pods are all running, told by its status as ClusterLoader2's WaitForControlledPodsRunning does. */
import type { KubeObject, Pod } from "../client/types.js";
import type { WaitKind } from "./schema.js";

interface ControllerFields {
  spec?: { replicas?: number; parallelism?: number; completions?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    desiredNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
    active?: number;
    succeeded?: number;
    conditions?: { type: string; status: string }[];
  };
}

/** The pods a controller should have running once it is done. */
export function expectedPods(kind: WaitKind, object: KubeObject): number {
  const { spec = {}, status = {} } = object as ControllerFields;
  switch (kind) {
    case "DaemonSet":
      return status.desiredNumberScheduled ?? 0;
    case "Job": {
      if (isJobComplete(object)) return 0;
      const parallelism = spec.parallelism ?? 1;
      return Math.min(parallelism, (spec.completions ?? parallelism) - (status.succeeded ?? 0));
    }
    default:
      return spec.replicas ?? 1;
  }
}

export function isControllerDone(kind: WaitKind, object: KubeObject): boolean {
  const { status = {} } = object as ControllerFields;
  const generation = (object.metadata.generation as number | undefined) ?? 0;
  if ((status.observedGeneration ?? 0) < generation && kind !== "Job") return false;
  const expected = expectedPods(kind, object);
  switch (kind) {
    case "DaemonSet":
      return status.numberReady === expected && status.updatedNumberScheduled === expected;
    case "Job":
      return isJobComplete(object) || (status.active ?? 0) >= expected;
    case "Deployment":
      return (
        (status.readyReplicas ?? 0) === expected &&
        (status.updatedReplicas ?? 0) === expected &&
        (status.replicas ?? 0) === expected
      );
    default:
      return (status.readyReplicas ?? 0) === expected && (status.replicas ?? 0) === expected;
  }
}

function isJobComplete(object: KubeObject): boolean {
  const { status = {} } = object as ControllerFields;
  return status.conditions?.some((c) => c.type === "Complete" && c.status === "True") === true;
}

/** Why a pod is not running, for the report of a wait that timed out. */
export function podProblem(pod: Pod): string {
  const unscheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status !== "True");
  const waiting = pod.status?.containerStatuses?.find((s) => s.state?.waiting)?.state?.waiting;
  const reason =
    (pod.metadata.deletionTimestamp ? "Terminating" : undefined) ??
    unscheduled?.reason ??
    waiting?.reason ??
    pod.status?.reason ??
    "NotReady";
  return `${pod.metadata.namespace}/${pod.metadata.name} (${pod.status?.phase ?? "Pending"}, ${reason})`;
}
