import { access } from "node:fs/promises";
import path from "node:path";
import { KubeClient } from "../client/kube-client.js";
import type { ClientIdentity } from "../client/kubeconfig.js";
import type { KubeObject } from "../client/types.js";
import { createCertificateRequest, writeKeyPair } from "../master/pki.js";

/** The signer of kubelet client certificates; the csrapproving controller auto-approves node CSRs for it. */
export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
/** Requests at once: each waits for the controller-manager, so overlap hides the approval latency. */
const PARALLEL = 16;

interface CertificateSigningRequest extends KubeObject {
  spec: { request: string; signerName: string; usages: string[] };
  status?: {
    certificate?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface BootstrapOptions {
  /** Server, CA and a bootstrap token (group system:bootstrappers). */
  bootstrap: ClientIdentity;
  /** Where <node>.crt and <node>.key go (keys 0600); nodes that already have both are skipped. */
  certDir: string;
  nodeNames: string[];
  timeoutMs: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * TLS bootstrapping as a kubelet does it: per node a private key and a CSR for `system:node:<name>` in
 * `system:nodes`, sent with the bootstrap token; the master's csrapproving controller approves it (given
 * the nodeclient RBAC grant) and its signer issues the certificate, which is written beside the key.
 */
export async function bootstrapNodeCertificates(opts: BootstrapOptions): Promise<void> {
  const missing: string[] = [];
  for (const name of opts.nodeNames) if (!(await hasCertificate(opts.certDir, name))) missing.push(name);
  if (missing.length === 0) return;
  opts.log(`requesting ${missing.length} kubelet client certificate(s) with the bootstrap token`);
  const client = new KubeClient(opts.bootstrap, { userAgent: "kubemark/tls-bootstrap" });
  const deadline = Date.now() + opts.timeoutMs;
  try {
    for (let i = 0; i < missing.length; i += PARALLEL) {
      await Promise.all(
        missing.slice(i, i + PARALLEL).map((name) => requestOne(client, name, deadline, opts)),
      );
    }
  } finally {
    client.close();
  }
}

async function hasCertificate(dir: string, name: string): Promise<boolean> {
  try {
    await Promise.all([access(path.join(dir, `${name}.crt`)), access(path.join(dir, `${name}.key`))]);
    return true;
  } catch {
    return false;
  }
}

async function requestOne(
  client: KubeClient,
  nodeName: string,
  deadline: number,
  opts: BootstrapOptions,
): Promise<void> {
  const { csrPem, keyPem } = await createCertificateRequest(`system:node:${nodeName}`, ["system:nodes"]);
  const created = await client.create<CertificateSigningRequest>(
    "/apis/certificates.k8s.io/v1/certificatesigningrequests",
    {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { generateName: `node-csr-${nodeName}-` },
      spec: {
        request: Buffer.from(csrPem).toString("base64"),
        signerName: KUBELET_CLIENT_SIGNER,
        // What the kubelet asks for with an ECDSA key; the approver accepts exactly these for node clients.
        usages: ["digital signature", "client auth"],
      },
    },
    { signal: opts.signal },
  );
  const csrPath = `/apis/certificates.k8s.io/v1/certificatesigningrequests/${created.metadata.name}`;
  for (;;) {
    opts.signal?.throwIfAborted();
    const csr = await client.get<CertificateSigningRequest>(csrPath, { signal: opts.signal });
    const refused = csr.status?.conditions?.find(
      (c) => (c.type === "Denied" || c.type === "Failed") && c.status === "True",
    );
    if (refused) {
      throw new Error(
        `certificate request ${created.metadata.name} for node ${nodeName} was ${refused.type.toLowerCase()}: ${refused.reason ?? ""} ${refused.message ?? ""}`.trim(),
      );
    }
    if (csr.status?.certificate) {
      const cert = Buffer.from(csr.status.certificate, "base64").toString("utf8");
      await writeKeyPair(opts.certDir, nodeName, { cert, key: keyPem });
      return;
    }
    if (Date.now() > deadline) {
      const approved = csr.status?.conditions?.some((c) => c.type === "Approved");
      throw new Error(
        `certificate request ${created.metadata.name} for node ${nodeName} was ${approved ? "approved but not signed (is the controller-manager running with --cluster-signing-cert-file?)" : "not approved (does group system:bootstrappers have the nodeclient auto-approval ClusterRoleBinding?)"} in time`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
