import { writeFile } from "node:fs/promises";
import YAML from "yaml";
import type { ClientIdentity } from "../client/kubeconfig.js";

export interface KubeconfigIdentity {
  server: string;
  caPem: string;
  user: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
}

/** Renders a kubeconfig with one cluster, user and context, credentials embedded (so the file is 0600). */
export function renderKubeconfig(clusterName: string, id: KubeconfigIdentity): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const user: Record<string, string> = {};
  if (id.certPem) user["client-certificate-data"] = b64(id.certPem);
  if (id.keyPem) user["client-key-data"] = b64(id.keyPem);
  if (id.token) user.token = id.token;
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: clusterName, cluster: { server: id.server, "certificate-authority-data": b64(id.caPem) } },
    ],
    users: [{ name: id.user, user }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: id.user } }],
    "current-context": clusterName,
    preferences: {},
  });
}

export async function writeKubeconfig(
  file: string,
  clusterName: string,
  id: KubeconfigIdentity,
): Promise<void> {
  await writeFile(file, renderKubeconfig(clusterName, id), { mode: 0o600 });
}

/**
 * A self-contained copy of a loaded kubeconfig's identity (files it referred to are embedded), so that a
 * cluster's state dir keeps working whatever happens to the user's file.
 */
export async function writeClientKubeconfig(
  file: string,
  clusterName: string,
  id: ClientIdentity,
): Promise<void> {
  if (!id.caPem) throw new Error(`the kubeconfig for ${id.server} has no certificate-authority`);
  await writeKubeconfig(file, clusterName, {
    server: id.server,
    caPem: id.caPem,
    user: "kubemark",
    certPem: id.certPem,
    keyPem: id.keyPem,
    token: id.token,
  });
}
