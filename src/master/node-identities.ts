import { mkdir } from "node:fs/promises";
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
