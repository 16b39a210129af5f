import { access, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { KubeClient } from "../client/kube-client.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import type { KubeObject } from "../client/types.js";
import {
  clusterLayout,
  describedLayout,
  readDescription,
  validateClusterName,
  writeDescription,
  type ClusterDescription,
} from "../master/cluster-state.js";
import { writeClientKubeconfig } from "../master/kubeconfig-file.js";
import { reachCluster } from "./api-objects.js";
import { parseBootstrapToken, writeBootstrapKubeconfig } from "./bootstrap-token.js";
import type { MasterProvider, MasterStartOptions } from "./master-provider.js";
import { removeMasterObjects } from "./master-objects.js";

interface SelfSubjectReview extends KubeObject {
  status?: { userInfo?: { username?: string; groups?: string[] } };
}

/**
 * A master that already runs, given by its kubeconfig: kubemark starts nothing of it. Hollow nodes use
 * the kubeconfig's identity, or, with a bootstrap token, request a certificate each (TLS bootstrapping).
 */
export const existingMasterProvider: MasterProvider = {
  name: "existing",

  async start(opts: MasterStartOptions): Promise<ClusterDescription> {
    const nameProblem = validateClusterName(opts.name);
    if (nameProblem) throw new Error(nameProblem);
    if (!opts.masterKubeconfig) throw new Error("an existing master needs --master-kubeconfig");
    if (await readDescription(opts.name)) {
      throw new Error(
        `cluster '${opts.name}' exists; stop it with 'kubemark stop --name ${opts.name}' or pick another --name`,
      );
    }
    const identity = await loadKubeconfig(opts.masterKubeconfig);
    if (!identity.caPem) {
      throw new Error(
        `kubeconfig ${opts.masterKubeconfig} has no certificate-authority: hollow nodes verify the master they join`,
      );
    }
    const token = opts.bootstrapToken ? parseBootstrapToken(opts.bootstrapToken) : undefined;
    const client = new KubeClient(identity, { userAgent: "kubemark", requestTimeoutMs: 10_000 });
    try {
      const version = await reachCluster(
        client,
        `the master at ${identity.server} (from ${opts.masterKubeconfig})`,
      );
      const layout = clusterLayout(opts.name);
      await mkdir(layout.kubeconfigs, { recursive: true, mode: 0o700 });
      await mkdir(layout.logs, { recursive: true, mode: 0o700 });
      // A self-contained copy, so that kubeconfig, run and node-problem work by --name as for a local master.
      await writeClientKubeconfig(layout.kubeconfig, opts.name, identity);
      if (token) {
        await writeBootstrapKubeconfig(
          bootstrapKubeconfigPath(layout.kubeconfigs),
          opts.name,
          identity.server,
          identity.caPem,
          token,
        );
        opts.log(`hollow nodes will join with bootstrap token ${token.id}, one client certificate each`);
      } else {
        const who = await whoAmI(client);
        if (who?.groups?.includes("system:masters")) {
          opts.log(
            `note: hollow nodes will act as ${who.username}, an admin (system:masters): the Node authorizer and NodeRestriction do not apply to them; pass --bootstrap-token for one kubelet identity per node`,
          );
        } else if (who) opts.log(`hollow nodes will act as ${who.username}`);
      }
      const desc: ClusterDescription = {
        name: opts.name,
        kubernetesVersion: version,
        etcdVersion: "unknown (existing master)",
        createdAt: new Date().toISOString(),
        stateDir: layout.dir,
        kubeconfig: layout.kubeconfig,
        server: identity.server,
        serviceCIDR: "",
        clusterCIDR: "",
        nodeCIDRMaskSize: 0,
        components: {} as ClusterDescription["components"],
        masterProvider: "existing",
      };
      await writeDescription(desc);
      return desc;
    } finally {
      client.close();
    }
  },

  async nodeCredentials(desc) {
    const layout = describedLayout(desc);
    const bootstrapKubeconfig = bootstrapKubeconfigPath(layout.kubeconfigs);
    const bootstraps = await access(bootstrapKubeconfig).then(
      () => true,
      () => false,
    );
    return bootstraps
      ? { kubeconfig: layout.kubeconfig, bootstrapKubeconfig, nodeCertDir: layout.nodePki }
      : { kubeconfig: layout.kubeconfig };
  },

  async stop(desc, keepState) {
    if (desc.onMaster) {
      const admin = new KubeClient(await loadKubeconfig(desc.kubeconfig), { userAgent: "kubemark" });
      try {
        await removeMasterObjects(admin, desc.onMaster);
      } finally {
        admin.close();
      }
    }
    if (!keepState) await rm(desc.stateDir, { recursive: true, force: true });
  },
};

function bootstrapKubeconfigPath(kubeconfigsDir: string): string {
  return path.join(kubeconfigsDir, "bootstrap.kubeconfig");
}

/** Who the kubeconfig's identity is, as the API server sees it; undefined where SelfSubjectReview is off. */
async function whoAmI(client: KubeClient): Promise<{ username?: string; groups?: string[] } | undefined> {
  try {
    const review = await client.create<SelfSubjectReview>(
      "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview", metadata: {} },
    );
    return review.status?.userInfo;
  } catch {
    return undefined;
  }
}
