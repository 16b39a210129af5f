import type { KubeClient } from "../../src/client/kube-client.js";
import { deployment } from "../../test/support/cluster.js";
import { sleep } from "./wait.js";

const DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

/**
 * The density workload of ClusterLoader2 in one Deployment: `replicas` pause pods asking 1m CPU and 10M
 * memory, so that 30 per node fit a hollow node (110 pods) many times over in every resource.
 */
export async function createDensityDeployment(admin: KubeClient, name: string, replicas: number) {
  await admin.create(DEPLOYMENTS, deployment(name, replicas));
}

export async function deleteDensityDeployment(admin: KubeClient, name: string) {
  await admin.delete(`${DEPLOYMENTS}/${name}`, { body: { propagationPolicy: "Background" } });
}

/**
 * Raises the Deployment's replicas every second to `podsPerSecond` times the seconds since the call, up to
 * `replicas`: pods are created at a set pace instead of as fast as the controllers and scheduler go.
 */
export async function rampDensityDeployment(
  admin: KubeClient,
  name: string,
  replicas: number,
  podsPerSecond: number,
) {
  const startedAt = Date.now();
  for (let current = 0; current < replicas;) {
    await sleep(1000);
    current = Math.min(replicas, Math.round(((Date.now() - startedAt) / 1000) * podsPerSecond));
    await admin.patch(`${DEPLOYMENTS}/${name}`, { spec: { replicas: current } }, "merge");
  }
}
