import { randomBytes } from "node:crypto";
import type { KubeClient } from "../client/kube-client.js";
import { writeKubeconfig } from "../master/kubeconfig-file.js";
import { createOrReplace, deleteIfPresent } from "./api-objects.js";

/**
 * The ClusterRoleBindings kubeadm makes so that kubelets can join with a bootstrap token: creating CSRs
 * (system:node-bootstrapper) and having node client CSRs auto-approved by the csrapproving controller.
 */
export const NODE_BOOTSTRAP_BINDINGS = [
  { name: "kubemark:kubelet-bootstrap", role: "system:node-bootstrapper" },
  {
    name: "kubemark:node-autoapprove-bootstrap",
    role: "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
  },
] as const;

const TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A bootstrap token's two parts, as `<id>.<secret>` ([a-z0-9]{6}.[a-z0-9]{16}). */
export interface BootstrapToken {
  id: string;
  secret: string;
}

export function parseBootstrapToken(token: string): BootstrapToken {
  const m = /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(token);
  if (!m) throw new Error("a bootstrap token has the form [a-z0-9]{6}.[a-z0-9]{16}");
  return { id: m[1], secret: m[2] };
}

export function formatBootstrapToken(t: BootstrapToken): string {
  return `${t.id}.${t.secret}`;
}

function randomToken(): BootstrapToken {
  const pick = (n: number) =>
    Array.from(randomBytes(n), (b) => TOKEN_ALPHABET[b % TOKEN_ALPHABET.length]).join("");
  return { id: pick(6), secret: pick(16) };
}

export function bootstrapTokenSecretPath(id: string): string {
  return `/api/v1/namespaces/kube-system/secrets/bootstrap-token-${id}`;
}

/**
 * Makes a bootstrap token on a master we administer (the Secret the API server's bootstrap authenticator
 * reads; it expires on its own after a day) and the RBAC bindings that let its holders join as nodes.
 */
export async function createBootstrapToken(admin: KubeClient, description: string): Promise<BootstrapToken> {
  const token = randomToken();
  await admin.create("/api/v1/namespaces/kube-system/secrets", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `bootstrap-token-${token.id}`, namespace: "kube-system" },
    type: "bootstrap.kubernetes.io/token",
    stringData: {
      description,
      "token-id": token.id,
      "token-secret": token.secret,
      expiration: new Date(Date.now() + 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
      "usage-bootstrap-authentication": "true",
    },
  });
  await grantNodeBootstrap(admin);
  return token;
}

/** Binds group system:bootstrappers to what TLS bootstrapping needs (as kubeadm does at init). */
export async function grantNodeBootstrap(admin: KubeClient): Promise<void> {
  for (const b of NODE_BOOTSTRAP_BINDINGS) {
    await createOrReplace(admin, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: b.name, labels: { "app.kubernetes.io/managed-by": "kubemark" } },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: b.role },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:bootstrappers" }],
    });
  }
}

export async function deleteBootstrapToken(admin: KubeClient, id: string): Promise<void> {
  await deleteIfPresent(admin, bootstrapTokenSecretPath(id));
}

export async function revokeNodeBootstrap(admin: KubeClient, bindings: readonly string[]): Promise<void> {
  for (const name of bindings)
    await deleteIfPresent(admin, `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${name}`);
}

/** A kubeconfig holding only the master's address, its CA and a bootstrap token (0600). */
export async function writeBootstrapKubeconfig(
  file: string,
  clusterName: string,
  server: string,
  caPem: string,
  token: BootstrapToken,
): Promise<void> {
  await writeKubeconfig(file, clusterName, {
    server,
    caPem,
    user: `system:bootstrap:${token.id}`,
    token: formatBootstrapToken(token),
  });
}
