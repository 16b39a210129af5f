import type { ClusterDescription } from "../master/cluster-state.js";
import { hollowNodeProvider } from "./hollow-node-provider.js";
import { masterProvider } from "./master-provider.js";

/**
 * Stops a cluster through the providers that started it: the hollow nodes first (they finish their writes
 * while the master still answers, and must not register again once their Nodes are removed), then the master.
 */
export async function stopProviders(
  desc: ClusterDescription,
  keepState: boolean,
  log: (line: string) => void,
): Promise<void> {
  await (await hollowNodeProvider(desc.hollowNodeProvider)).stop(desc, log);
  await (await masterProvider(desc.masterProvider)).stop(desc, keepState);
}
