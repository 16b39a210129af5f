import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { ClusterDescription } from "./cluster-state.js";
import { describedLayout } from "./cluster-state.js";
import { CertificateAuthority, readKeyPair, writeKeyPair, type KeyPair } from "./pki.js";

/** How many certificates to sign at once: signing is CPU-bound, this only overlaps the file writes. */
const PARALLEL = 16;

/**
 * Issues each hollow node its own kubelet identity, `system:node:<name>` in group `system:nodes`, so the
 * Node authorizer and NodeRestriction treat it as they treat a real kubelet. Written to pki/nodes/.
 */
export async function issueNodeIdentities(desc: ClusterDescription, nodeNames: string[]): Promise<void> {
  const layout = describedLayout(desc);
  const caPair = await readKeyPair(layout.pki, "ca");
  const ca = await CertificateAuthority.load(caPair.cert, caPair.key);
  await mkdir(layout.nodePki, { recursive: true, mode: 0o700 });
  for (let i = 0; i < nodeNames.length; i += PARALLEL) {
    await Promise.all(
      nodeNames.slice(i, i + PARALLEL).map(async (name) => {
        const pair = await ca.issue({ commonName: `system:node:${name}`, organizations: ["system:nodes"] });
        await writeKeyPair(layout.nodePki, name, pair);
      }),
    );
  }
}

export function readNodeIdentity(desc: ClusterDescription, nodeName: string): Promise<KeyPair> {
  return readKeyPair(describedLayout(desc).nodePki, nodeName);
}

/**
 * The kubeconfigs hollow nodes run with. Each kubelet authenticates with its own certificate when it has
 * one in nodeCertDir (issued in advance, or requested with bootstrapKubeconfig's token), else with
 * kubeconfig's identity, which kube-proxy and the shared pod watch use too unless proxyKubeconfig is set.
 */
export interface NodeCredentials {
  kubeconfig: string;
  proxyKubeconfig?: string;
  nodeCertDir?: string;
  bootstrapKubeconfig?: string;
}

/** A local master's credentials for nodes named in advance: a certificate each, from the cluster CA. */
export async function localNodeCredentials(
  desc: ClusterDescription,
  nodeNames: string[],
  sharedWatch: boolean,
): Promise<NodeCredentials> {
  const layout = describedLayout(desc);
  const proxyKubeconfig = path.join(layout.kubeconfigs, "kube-proxy.kubeconfig");
  await issueNodeIdentities(desc, nodeNames);
  return {
    // The shared pod watch lists every pod, which only the admin may; kube-proxy's identity suffices otherwise.
    kubeconfig: sharedWatch ? layout.kubeconfig : proxyKubeconfig,
    proxyKubeconfig,
    nodeCertDir: layout.nodePki,
  };
}
