import { KubeClient } from "../client/kube-client.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { clusterLayout, readDescription, type ClusterDescription } from "../master/cluster-state.js";
import type { FlagSpec, FlagValues } from "./flags.js";

export const KUBECONFIG_FLAG: FlagSpec = {
  name: "kubeconfig",
  type: "string",
  help: "talk to the cluster of this kubeconfig instead of a local one",
};

/** An admin client for --kubeconfig, or else for the local cluster --name. */
export async function clusterClient(flags: FlagValues): Promise<KubeClient> {
  const file = (flags.kubeconfig as string | undefined) ?? clusterLayout(flags.name as string).kubeconfig;
  return new KubeClient(await loadKubeconfig(file), { userAgent: "kubemark" });
}

/** The local cluster --name as its start recorded it; an error naming where it looked when there is none. */
export async function describedCluster(name: string): Promise<ClusterDescription> {
  const desc = await readDescription(name);
  if (!desc) throw new Error(`no cluster named '${name}' (looked in ${clusterLayout(name).dir})`);
  return desc;
}
