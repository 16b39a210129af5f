import type { ComponentName, ClusterLayout } from "./cluster-state.js";
import { FRONT_PROXY_CLIENT, type MasterPki } from "./master-pki.js";

/** Address plan of a local cluster. 10.64.0.0/10 holds 16,384 node /24s, over 5,000 nodes' worth. */
export const NETWORK = {
  serviceCIDR: "10.0.0.0/16",
  firstServiceIP: "10.0.0.1",
  clusterCIDR: "10.64.0.0/10",
  nodeCIDRMaskSize: 24,
} as const;

export interface MasterPorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

export interface ComponentSpec {
  name: ComponentName;
  args: string[];
  ports: Record<string, number>;
  healthUrl: string;
  metricsUrl: string;
}

/** Extra flags a user passes per component (e.g. --apiserver-arg=--max-requests-inflight=800). */
export type ExtraArgs = Partial<Record<ComponentName, string[]>>;

/**
 * The command lines of the four master components: TLS everywhere, bound to 127.0.0.1, the API server
 * with Node+RBAC authorization and NodeRestriction, each controller with its own service account.
 */
export function componentSpecs(
  layout: ClusterLayout,
  pki: MasterPki,
  ports: MasterPorts,
  extra: ExtraArgs = {},
): ComponentSpec[] {
  const f = pki.files;
  const etcdUrl = `https://127.0.0.1:${ports.etcdClient}`;
  const peerUrl = `https://127.0.0.1:${ports.etcdPeer}`;
  const apiserverUrl = `https://127.0.0.1:${ports.apiserver}`;
  const delegated = (kubeconfig: string) => [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--client-ca-file=${f.caCert}`,
    "--bind-address=127.0.0.1",
    // A single instance: leader election would only delay a restart by the old lease's duration.
    "--leader-elect=false",
  ];
  const specs: ComponentSpec[] = [
    {
      name: "etcd",
      ports: { client: ports.etcdClient, peer: ports.etcdPeer },
      healthUrl: `${etcdUrl}/health`,
      metricsUrl: `${etcdUrl}/metrics`,
      args: [
        "--name=kubemark",
        `--data-dir=${layout.etcdData}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=kubemark=${peerUrl}`,
        `--cert-file=${f.etcdServer.cert}`,
        `--key-file=${f.etcdServer.key}`,
        "--client-cert-auth",
        `--trusted-ca-file=${f.caCert}`,
        `--peer-cert-file=${f.etcdServer.cert}`,
        `--peer-key-file=${f.etcdServer.key}`,
        "--peer-client-cert-auth",
        `--peer-trusted-ca-file=${f.caCert}`,
        // As large clusters configure it: 5,000 nodes' objects exceed the 2 GiB default.
        "--quota-backend-bytes=8589934592",
        "--log-level=warn",
      ],
    },
    {
      name: "kube-apiserver",
      ports: { secure: ports.apiserver },
      healthUrl: `${apiserverUrl}/readyz`,
      metricsUrl: `${apiserverUrl}/metrics`,
      args: [
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${ports.apiserver}`,
        // Endpoints may not hold a loopback address, so the 'kubernetes' Service keeps no endpoints here.
        "--endpoint-reconciler-type=none",
        `--etcd-servers=${etcdUrl}`,
        `--etcd-cafile=${f.caCert}`,
        `--etcd-certfile=${f.etcdClient.cert}`,
        `--etcd-keyfile=${f.etcdClient.key}`,
        `--tls-cert-file=${f.apiserver.cert}`,
        `--tls-private-key-file=${f.apiserver.key}`,
        `--client-ca-file=${f.caCert}`,
        "--anonymous-auth=true",
        // Hollow nodes outside this machine's PKI (pods of the external provider) join as kubelets do:
        // a bootstrap token, then a client certificate the controller-manager signs.
        "--enable-bootstrap-token-auth=true",
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${f.serviceAccountPub}`,
        `--service-account-signing-key-file=${f.serviceAccountKey}`,
        `--service-cluster-ip-range=${NETWORK.serviceCIDR}`,
        "--allow-privileged=true",
        `--requestheader-client-ca-file=${f.frontProxyCaCert}`,
        `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        `--proxy-client-cert-file=${f.frontProxyClient.cert}`,
        `--proxy-client-key-file=${f.frontProxyClient.key}`,
      ],
    },
    {
      name: "kube-controller-manager",
      ports: { secure: ports.controllerManager },
      healthUrl: `https://127.0.0.1:${ports.controllerManager}/healthz`,
      metricsUrl: `https://127.0.0.1:${ports.controllerManager}/metrics`,
      args: [
        ...delegated(pki.kubeconfigs["kube-controller-manager"]),
        `--secure-port=${ports.controllerManager}`,
        `--tls-cert-file=${f.serving["kube-controller-manager"].cert}`,
        `--tls-private-key-file=${f.serving["kube-controller-manager"].key}`,
        "--use-service-account-credentials=true",
        `--service-account-private-key-file=${f.serviceAccountKey}`,
        `--root-ca-file=${f.caCert}`,
        `--cluster-signing-cert-file=${f.caCert}`,
        `--cluster-signing-key-file=${f.caKey}`,
        "--allocate-node-cidrs=true",
        `--cluster-cidr=${NETWORK.clusterCIDR}`,
        `--node-cidr-mask-size=${NETWORK.nodeCIDRMaskSize}`,
        `--service-cluster-ip-range=${NETWORK.serviceCIDR}`,
        "--controllers=*,bootstrapsigner,tokencleaner",
      ],
    },
    {
      name: "kube-scheduler",
      ports: { secure: ports.scheduler },
      healthUrl: `https://127.0.0.1:${ports.scheduler}/healthz`,
      metricsUrl: `https://127.0.0.1:${ports.scheduler}/metrics`,
      args: [
        ...delegated(pki.kubeconfigs["kube-scheduler"]),
        `--secure-port=${ports.scheduler}`,
        `--tls-cert-file=${f.serving["kube-scheduler"].cert}`,
        `--tls-private-key-file=${f.serving["kube-scheduler"].key}`,
      ],
    },
  ];
  for (const spec of specs) spec.args.push(...(extra[spec.name] ?? []));
  return specs;
}
