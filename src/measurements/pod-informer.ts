import { Informer } from "../client/informer.js";
import type { KubeClient } from "../client/kube-client.js";
import type { Pod } from "../client/types.js";
import { objectCodec } from "../client/watch-codec.js";
import { isConditionTrue } from "../client/conditions.js";

/** An informer on the pods of every namespace matching labelSelector ("" for all); callers filter namespaces. */
export function podInformer(client: KubeClient, labelSelector: string): Informer<Pod> {
  return new Informer<Pod>({
    client,
    path: "/api/v1/pods",
    ...(labelSelector ? { labelSelector } : {}),
    codec: objectCodec<Pod>({ dropManagedFields: true }),
  });
}

/** Running with every container running: when ClusterLoader2 counts a pod as started. */
export function isPodStarted(pod: Pod): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  return (
    pod.status?.phase === "Running" &&
    statuses.length === pod.spec.containers.length &&
    statuses.every((s) => s.state?.running !== undefined)
  );
}

export function isPodReady(pod: Pod): boolean {
  return isConditionTrue(pod, "Ready");
}
