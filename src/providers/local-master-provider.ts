import { rm } from "node:fs/promises";
import path from "node:path";
import { KubeClient } from "../client/kube-client.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { describedLayout, writeDescription, type ClusterDescription } from "../master/cluster-state.js";
import { startLocalMaster, stopComponents } from "../master/local-master.js";
import { localNodeCredentials } from "../master/node-identities.js";
import {
  createBootstrapToken,
  NODE_BOOTSTRAP_BINDINGS,
  writeBootstrapKubeconfig,
} from "./bootstrap-token.js";
import type { CredentialRequest, MasterProvider, NodeCredentials } from "./master-provider.js";

/** The master as local processes on 127.0.0.1, with a PKI of its own (src/master/local-master.ts). */
export const localMasterProvider: MasterProvider = {
  name: "local",

  async start(opts) {
    const desc = await startLocalMaster(opts);
    desc.masterProvider = "local";
    await writeDescription(desc);
    return desc;
  },

  async nodeCredentials(desc: ClusterDescription, req: CredentialRequest): Promise<NodeCredentials> {
    if (req.nodeNames) {
      req.log(`issuing ${req.nodeNames.length} kubelet identities`);
      return localNodeCredentials(desc, req.nodeNames, req.sharedWatch);
    }
    const layout = describedLayout(desc);
    const { kubeconfig, proxyKubeconfig } = await localNodeCredentials(desc, [], req.sharedWatch);
    // Nodes that name themselves (pods) cannot have certificates issued in advance: they bootstrap.
    const admin = new KubeClient(await loadKubeconfig(layout.kubeconfig), { userAgent: "kubemark" });
    try {
      const token = await createBootstrapToken(admin, `kubemark hollow nodes of cluster ${desc.name}`);
      desc.onMaster = {
        ...desc.onMaster,
        bootstrapTokenId: token.id,
        clusterRoleBindings: NODE_BOOTSTRAP_BINDINGS.map((b) => b.name),
      };
      await writeDescription(desc);
      const bootstrapKubeconfig = path.join(layout.kubeconfigs, "bootstrap.kubeconfig");
      const ca = (await loadKubeconfig(layout.kubeconfig)).caPem!;
      await writeBootstrapKubeconfig(bootstrapKubeconfig, desc.name, desc.server, ca, token);
      return { kubeconfig, proxyKubeconfig, bootstrapKubeconfig };
    } finally {
      admin.close();
    }
  },

  // Objects made on the master go with it: its etcd data is in the state dir.
  async stop(desc, keepState) {
    await stopComponents(desc);
    if (!keepState) await rm(desc.stateDir, { recursive: true, force: true });
  },
};
