import { readFile } from "node:fs/promises";
import { KubeClient } from "../../src/client/kube-client.js";
import { loadKubeconfig } from "../../src/client/kubeconfig.js";
import type { KubeList, Node, Pod } from "../../src/client/types.js";
import type { ClusterDescription } from "../../src/master/cluster-state.js";
import { isConditionTrue } from "../../src/client/conditions.js";

export async function readCluster(home: string, name: string): Promise<ClusterDescription> {
  return JSON.parse(await readFile(`${home}/${name}/cluster.json`, "utf8")) as ClusterDescription;
}

export async function adminClient(desc: ClusterDescription): Promise<KubeClient> {
  return new KubeClient(await loadKubeconfig(desc.kubeconfig), { userAgent: "kubemark-tests" });
}

export async function listPods(
  client: KubeClient,
  namespace: string,
  labelSelector?: string,
): Promise<Pod[]> {
  return (
    await client.get<KubeList<Pod>>(`/api/v1/namespaces/${namespace}/pods`, { query: { labelSelector } })
  ).items;
}

export async function listNodes(client: KubeClient): Promise<Node[]> {
  return (await client.get<KubeList<Node>>("/api/v1/nodes")).items;
}

export function isReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && isConditionTrue(pod, "Ready");
}

/** Whether an IPv4 address lies inside a CIDR. */
export function inCIDR(ip: string, cidr: string): boolean {
  const toInt = (a: string) => a.split(".").reduce((n, p) => n * 256 + Number(p), 0);
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = toInt(base) - (toInt(base) % size);
  return toInt(ip) >= start && toInt(ip) < start + size;
}

export function deployment(name: string, replicas: number, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "app",
              image: "registry.k8s.io/pause:3.10",
              resources: { requests: { cpu: "1m", memory: "10M" } },
            },
          ],
          ...extra,
        },
      },
    },
  };
}
