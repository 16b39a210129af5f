import { readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { ApiError, KubeClient } from "../client/kube-client.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import type { KubeList, Pod } from "../client/types.js";
import { describedLayout, writeDescription, type ClusterDescription } from "../master/cluster-state.js";
import { writeClientKubeconfig } from "../master/kubeconfig-file.js";
import { createOrReplace, deleteIfPresent, exists, pollUntil, reachCluster } from "./api-objects.js";
import { missingRights, namespaceReadRight, neededRights } from "./external/access-check.js";
import {
  CONFIG_MAP,
  configMapObject,
  CONTAINER_NAME,
  DEPLOYMENT_NAME,
  deploymentObject,
  EXTERNAL_NAMESPACE,
  externalLabels,
  hollowNodeSettings,
  KUBECONFIG_SECRET,
  kubeconfigSecret,
  localStagesFile,
  namespaceObject,
  podNameForNode,
  podSelector,
  type ExternalPlan,
} from "./external/objects.js";
import { waitPodsAndNodesReady } from "./external/wait-ready.js";
import type { HollowNodeProvider } from "./hollow-node-provider.js";
import { CLUSTER_NODE_LABEL } from "./master-objects.js";
import { concernsNode } from "./node-log.js";

const CLEANUP_TIMEOUT_MS = 120_000;

/**
 * Hollow nodes as pods of an external cluster, as the guide has them: in namespace kubemark, a Secret with
 * the master's kubeconfigs, a ConfigMap with the hollow node settings, and a Deployment whose pods each
 * run `kubemark hollow-node --count K` with node names derived from the pod's name.
 */
export const externalPodsProvider: HollowNodeProvider = {
  name: "external",

  async start(desc, master, opts) {
    const file = opts.externalKubeconfig;
    if (!file) throw new Error("the external provider needs --external-kubeconfig");
    const identity = await loadKubeconfig(file);
    const external = new KubeClient(identity, { userAgent: "kubemark", requestTimeoutMs: 15_000 });
    const masterClient = new KubeClient(await loadKubeconfig(desc.kubeconfig), { userAgent: "kubemark" });
    try {
      await reachCluster(external, `the external cluster at ${identity.server} (from ${file})`);
      const namespacePath = `/api/v1/namespaces/${EXTERNAL_NAMESPACE}`;
      const mayRead = (await missingRights(external, [namespaceReadRight(EXTERNAL_NAMESPACE)])).length === 0;
      const namespaceExists = mayRead && (await exists(external, namespacePath));
      const missing = await missingRights(external, neededRights(EXTERNAL_NAMESPACE, namespaceExists));
      if (missing.length > 0) {
        throw new Error(
          `the identity of ${file} lacks rights in the external cluster at ${identity.server}: ${missing.join("; ")}. Grant them (for instance create the namespace ${EXTERNAL_NAMESPACE} and bind the ClusterRole 'admin' in it) and start again`,
        );
      }
      const nodesPerPod = opts.nodesPerPod ?? 10;
      const replicas = Math.ceil(opts.count / nodesPerPod);
      if (replicas * nodesPerPod !== opts.count)
        opts.log(
          `${opts.count} nodes at ${nodesPerPod} per pod: ${replicas} pods run ${replicas * nodesPerPod} nodes`,
        );
      const plan: ExternalPlan = {
        cluster: desc.name,
        image: opts.image ?? "",
        nodesPerPod,
        replicas,
        kubernetesVersion: desc.kubernetesVersion,
        sharedWatch: opts.sharedWatch,
        extraArgs: opts.extraArgs,
      };
      const creds = await master.nodeCredentials(desc, { sharedWatch: opts.sharedWatch, log: opts.log });

      // Recorded before anything is created, so that stop removes whatever a failure leaves behind.
      const externalKubeconfig = path.join(describedLayout(desc).dir, "external.kubeconfig");
      await writeClientKubeconfig(externalKubeconfig, "external", identity);
      desc.hollowNodeProvider = "external";
      desc.hollowNodes = { count: replicas * nodesPerPod, processes: [] };
      desc.onMaster = { ...desc.onMaster, nodeSelector: `${CLUSTER_NODE_LABEL}=${desc.name}` };
      desc.external = {
        kubeconfig: externalKubeconfig,
        namespace: EXTERNAL_NAMESPACE,
        deployment: DEPLOYMENT_NAME,
        secrets: [KUBECONFIG_SECRET],
        configMaps: [CONFIG_MAP],
        image: plan.image,
        nodesPerPod,
        replicas,
        createdNamespace: !namespaceExists,
      };
      await writeDescription(desc);

      if (!namespaceExists) await external.create("/api/v1/namespaces", namespaceObject(desc.name));
      const text = async (f: string | undefined) => (f ? readFile(f, "utf8") : undefined);
      await createOrReplace(
        external,
        `${namespacePath}/secrets`,
        kubeconfigSecret(desc.name, {
          kubeconfig: await text(creds.kubeconfig),
          proxyKubeconfig: await text(creds.proxyKubeconfig),
          bootstrapKubeconfig: await text(creds.bootstrapKubeconfig),
        }),
      );
      await createOrReplace(
        external,
        `${namespacePath}/configmaps`,
        configMapObject(plan, YAML.stringify(hollowNodeSettings(plan)), await text(localStagesFile(plan))),
      );
      await createOrReplace(
        external,
        `/apis/apps/v1/namespaces/${EXTERNAL_NAMESPACE}/deployments`,
        deploymentObject(plan, creds),
      );
      opts.log(
        `created in the external cluster: namespace ${EXTERNAL_NAMESPACE}, Secret ${KUBECONFIG_SECRET}, ConfigMap ${CONFIG_MAP}, Deployment ${DEPLOYMENT_NAME} (${replicas} pods of ${nodesPerPod} nodes, image ${plan.image})`,
      );
      await waitPodsAndNodesReady({
        external,
        master: masterClient,
        namespace: EXTERNAL_NAMESPACE,
        deployment: DEPLOYMENT_NAME,
        podSelector: podSelector(desc.name),
        nodeSelector: desc.onMaster.nodeSelector!,
        replicas,
        nodesPerPod,
        timeoutMs: opts.timeoutMs,
        log: opts.log,
        signal: opts.signal,
      });
    } finally {
      external.close();
      masterClient.close();
    }
  },

  async stop(desc, log) {
    const ext = desc.external;
    if (!ext) return;
    const client = await externalClient(desc);
    try {
      await reachCluster(
        client,
        `the external cluster at ${client.server}; nothing was removed there or from the master, run stop again once it answers`,
      );
      const ns = `/api/v1/namespaces/${ext.namespace}`;
      await deleteIfPresent(
        client,
        `/apis/apps/v1/namespaces/${ext.namespace}/deployments/${ext.deployment}`,
        "Foreground",
      );
      const selector = podSelector(desc.name);
      const podsGone = await pollUntil(
        async () =>
          (await client.get<KubeList<Pod>>(`${ns}/pods`, { query: { labelSelector: selector } })).items
            .length === 0,
        CLEANUP_TIMEOUT_MS,
      );
      if (!podsGone)
        log(
          `hollow-node pods in ${ext.namespace} are still terminating after ${CLEANUP_TIMEOUT_MS / 1000} s`,
        );
      for (const s of ext.secrets) await deleteIfPresent(client, `${ns}/secrets/${s}`);
      for (const c of ext.configMaps) await deleteIfPresent(client, `${ns}/configmaps/${c}`);
      if (ext.createdNamespace) {
        await deleteIfPresent(client, ns);
        if (!(await pollUntil(async () => !(await exists(client, ns)), CLEANUP_TIMEOUT_MS)))
          log(`namespace ${ext.namespace} is still terminating in the external cluster`);
      }
      log(
        `removed from the external cluster: ${ext.createdNamespace ? `namespace ${ext.namespace}` : `the objects in namespace ${ext.namespace}`}`,
      );
    } finally {
      client.close();
    }
  },

  async locate(desc, node) {
    const pod = await podOf(desc, node);
    return {
      node,
      kind: "pod",
      where: `${pod.metadata.namespace}/${pod.metadata.name}`,
      host: pod.spec.nodeName,
    };
  },

  async logs(desc, node, opts) {
    const pod = await podOf(desc, node);
    const name = pod.metadata.name!;
    const podNodes = new Set(Array.from({ length: desc.external!.nodesPerPod }, (_, i) => `${name}-${i}`));
    const emit = (line: string) => concernsNode(line, node, podNodes) && opts.out(line);
    const logPath = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${name}/log`;
    const client = await externalClient(desc);
    try {
      if (opts.follow) {
        await client.followLines(logPath, { container: CONTAINER_NAME, follow: true }, emit, opts.signal);
      } else {
        const text = await client.getText(logPath, { query: { container: CONTAINER_NAME } });
        for (const line of text.split("\n")) if (line) emit(line);
      }
    } catch (err) {
      if (opts.signal.aborted) return;
      throw new Error(
        `cannot read the logs of pod ${pod.metadata.namespace}/${name} in the external cluster: ${(err as Error).message}`,
      );
    } finally {
      client.close();
    }
  },
};

async function externalClient(desc: ClusterDescription): Promise<KubeClient> {
  return new KubeClient(await loadKubeconfig(desc.external!.kubeconfig), {
    userAgent: "kubemark",
    requestTimeoutMs: 15_000,
  });
}

/** The external pod that runs a hollow node, from the node's name (the pod's name plus -<i>). */
async function podOf(desc: ClusterDescription, node: string): Promise<Pod> {
  const podName = podNameForNode(node);
  const ns = desc.external!.namespace;
  if (!podName) throw new Error(`'${node}' is not a hollow node name of the external provider (<pod>-<i>)`);
  const client = await externalClient(desc);
  try {
    const pod = await client.get<Pod>(`/api/v1/namespaces/${ns}/pods/${podName}`);
    const labels = externalLabels(desc.name);
    if (pod.metadata.labels?.[CLUSTER_NODE_LABEL] !== labels[CLUSTER_NODE_LABEL])
      throw new Error(`pod ${ns}/${podName} is not a hollow-node pod of cluster '${desc.name}'`);
    return pod;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new Error(`no hollow-node pod ${ns}/${podName} for node '${node}' in the external cluster`);
    throw err;
  } finally {
    client.close();
  }
}
