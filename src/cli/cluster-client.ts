import { KubeClient } from "../client/kube-client.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { clusterLayout } from "../master/cluster-state.js";
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
