import type { KubeClient } from "../client/kube-client.js";
import type { KubeList, Node } from "../client/types.js";
import type { MasterObjects } from "../master/cluster-state.js";
import { deleteIfPresent } from "./api-objects.js";
import { deleteBootstrapToken, revokeNodeBootstrap } from "./bootstrap-token.js";

/** The label every hollow Node of a cluster carries when the master outlives it (value: cluster name). */
export const CLUSTER_NODE_LABEL = "kubemark.io/cluster";

/**
 * Removes from a master that outlives us what a start put there: the hollow Nodes (by recorded name and by
 * label) with their Leases and the CSRs their certificates came from, and a bootstrap token and RBAC bindings kubemark made. Run after the hollow
 * nodes stopped, or they would register again. Resolves to the number of Nodes removed.
 */
export async function removeMasterObjects(admin: KubeClient, made: MasterObjects): Promise<number> {
  const names = new Set(made.nodeNames ?? []);
  if (made.nodeSelector) {
    const labelled = await admin.get<KubeList<Node>>("/api/v1/nodes", {
      query: { labelSelector: made.nodeSelector },
    });
    for (const n of labelled.items) names.add(n.metadata.name!);
  }
  let removed = 0;
  for (const name of names) {
    if (await deleteIfPresent(admin, `/api/v1/nodes/${name}`)) removed++;
    await deleteIfPresent(admin, `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`);
  }
  const csrs = await admin.get<KubeList>("/apis/certificates.k8s.io/v1/certificatesigningrequests");
  for (const csr of csrs.items) {
    const node = nodeOfCsrName(csr.metadata.name ?? "");
    if (node && names.has(node))
      await deleteIfPresent(
        admin,
        `/apis/certificates.k8s.io/v1/certificatesigningrequests/${csr.metadata.name}`,
      );
  }
  if (made.bootstrapTokenId) await deleteBootstrapToken(admin, made.bootstrapTokenId);
  if (made.clusterRoleBindings) await revokeNodeBootstrap(admin, made.clusterRoleBindings);
  return removed;
}

/** The node a TLS-bootstrapping CSR was made for, from the name tls-bootstrap.ts gives it (node-csr-<node>-<5>). */
function nodeOfCsrName(name: string): string | undefined {
  return /^node-csr-(.+)-[a-z0-9]{5}$/.exec(name)?.[1];
}
