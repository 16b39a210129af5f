import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ClusterLayout } from "./cluster-state.js";
import { writeKubeconfig } from "./kubeconfig-file.js";
import { CertificateAuthority, serviceAccountKeys, writeKeyPair } from "./pki.js";

export const FRONT_PROXY_CLIENT = "front-proxy-client";
const LOOPBACK_NAMES = { dnsNames: ["localhost"], ips: ["127.0.0.1"] };

/** The client identities every local cluster has: who they are and where their kubeconfig goes. */
export const CLIENT_IDENTITIES = {
  admin: { commonName: "kubernetes-admin", organizations: ["system:masters"] },
  "kube-controller-manager": { commonName: "system:kube-controller-manager" },
  "kube-scheduler": { commonName: "system:kube-scheduler" },
  "kube-proxy": { commonName: "system:kube-proxy" },
} as const;

export type ClientName = keyof typeof CLIENT_IDENTITIES;

export interface MasterPki {
  ca: CertificateAuthority;
  files: {
    caCert: string;
    caKey: string;
    apiserver: { cert: string; key: string };
    etcdServer: { cert: string; key: string };
    etcdClient: { cert: string; key: string };
    serviceAccountKey: string;
    serviceAccountPub: string;
    /** Aggregation layer: a CA of its own, so its certificates cannot act as ordinary clients and vice versa. */
    frontProxyCaCert: string;
    frontProxyClient: { cert: string; key: string };
    /** Serving certificates of the controller-manager and scheduler. */
    serving: Record<"kube-controller-manager" | "kube-scheduler", { cert: string; key: string }>;
  };
  kubeconfigs: Record<ClientName, string>;
}

/**
 * Makes a cluster's PKI: a CA, the API server's and etcd's serving certificates, a service-account key
 * pair, and a kubeconfig per client identity (admin's at the stable path). Keys are written 0600.
 */
export async function createMasterPki(
  layout: ClusterLayout,
  clusterName: string,
  server: string,
  firstServiceIP: string,
): Promise<MasterPki> {
  await mkdir(layout.pki, { recursive: true, mode: 0o700 });
  await mkdir(layout.kubeconfigs, { recursive: true, mode: 0o700 });
  const ca = await CertificateAuthority.create(`kubemark-${clusterName}-ca`);
  const caFiles = await writeKeyPair(layout.pki, "ca", { cert: ca.certPem, key: ca.keyPem });
  const frontProxyCa = await CertificateAuthority.create(`kubemark-${clusterName}-front-proxy-ca`);
  const frontProxyCaFiles = await writeKeyPair(layout.pki, "front-proxy-ca", {
    cert: frontProxyCa.certPem,
    key: frontProxyCa.keyPem,
  });

  const [apiserver, etcdServer, etcdClient, kcmServing, schedulerServing, sa, frontProxyClient] =
    await Promise.all([
      ca.issue({
        commonName: "kube-apiserver",
        dnsNames: [
          "localhost",
          "kubernetes",
          "kubernetes.default",
          "kubernetes.default.svc",
          "kubernetes.default.svc.cluster.local",
        ],
        ips: ["127.0.0.1", firstServiceIP],
        client: false,
      }),
      ca.issue({ commonName: "etcd", ...LOOPBACK_NAMES }),
      ca.issue({ commonName: "kube-apiserver-etcd-client" }),
      ca.issue({ commonName: "kube-controller-manager", ...LOOPBACK_NAMES, client: false }),
      ca.issue({ commonName: "kube-scheduler", ...LOOPBACK_NAMES, client: false }),
      serviceAccountKeys(),
      frontProxyCa.issue({ commonName: FRONT_PROXY_CLIENT }),
    ]);
  const serviceAccountKey = path.join(layout.pki, "sa.key");
  const serviceAccountPub = path.join(layout.pki, "sa.pub");
  await writeFile(serviceAccountKey, sa.privateKey, { mode: 0o600 });
  await writeFile(serviceAccountPub, sa.publicKey, { mode: 0o644 });

  const kubeconfigs = {} as Record<ClientName, string>;
  await Promise.all(
    (Object.keys(CLIENT_IDENTITIES) as ClientName[]).map(async (client) => {
      const pair = await ca.issue(CLIENT_IDENTITIES[client]);
      await writeKeyPair(layout.pki, client, pair);
      const file =
        client === "admin" ? layout.kubeconfig : path.join(layout.kubeconfigs, `${client}.kubeconfig`);
      await writeKubeconfig(file, clusterName, {
        server,
        caPem: ca.certPem,
        user: client,
        certPem: pair.cert,
        keyPem: pair.key,
      });
      kubeconfigs[client] = file;
    }),
  );

  return {
    ca,
    files: {
      caCert: caFiles.cert,
      caKey: caFiles.key,
      apiserver: await writeKeyPair(layout.pki, "apiserver", apiserver),
      etcdServer: await writeKeyPair(layout.pki, "etcd-server", etcdServer),
      etcdClient: await writeKeyPair(layout.pki, "etcd-client", etcdClient),
      serviceAccountKey,
      serviceAccountPub,
      frontProxyCaCert: frontProxyCaFiles.cert,
      frontProxyClient: await writeKeyPair(layout.pki, "front-proxy-client", frontProxyClient),
      serving: {
        "kube-controller-manager": await writeKeyPair(
          layout.pki,
          "kube-controller-manager-serving",
          kcmServing,
        ),
        "kube-scheduler": await writeKeyPair(layout.pki, "kube-scheduler-serving", schedulerServing),
      },
    },
    kubeconfigs,
  };
}
