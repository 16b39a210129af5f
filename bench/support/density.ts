import type { KubeClient } from "../../src/client/kube-client.js";
import { deployment } from "../../test/support/cluster.js";

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
