import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export const DEFAULT_CLUSTER_NAME = "kubemark";

export type ComponentName = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler";
/** Start order; stop runs it backwards. */
export const COMPONENTS: readonly ComponentName[] = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
];

export interface ComponentState {
  pid: number;
  binary: string;
  args: string[];
  log: string;
  /** Named ports, e.g. {client: 2379, peer: 2380} or {secure: 6443}. */
  ports: Record<string, number>;
  /** Where its health is read (https, verified against the cluster CA). */
  healthUrl: string;
  metricsUrl: string;
}

/** The machine-readable description of a local cluster, at <state dir>/cluster.json. */
export interface ClusterDescription {
  name: string;
  kubernetesVersion: string;
  etcdVersion: string;
  createdAt: string;
  stateDir: string;
  kubeconfig: string;
  server: string;
  serviceCIDR: string;
  clusterCIDR: string;
  nodeCIDRMaskSize: number;
  /** Empty when the master is not ours (an existing master given by kubeconfig). */
  components: Record<ComponentName, ComponentState>;
  /** Where the master comes from; absent in descriptions written before providers existed (local). */
  masterProvider?: MasterProviderName;
  /** Where the hollow nodes run; absent: local processes. */
  hollowNodeProvider?: HollowNodeProviderName;
  hollowNodes?: { count: number; processes: HollowProcessState[] };
  /** What a start created on the master, so that stop removes it (an existing master outlives us). */
  onMaster?: MasterObjects;
  /** What a start created in the external cluster of the external provider. */
  external?: ExternalDeployment;
}

export type MasterProviderName = "local" | "existing";
export type HollowNodeProviderName = "local" | "external";

export interface MasterObjects {
  /** A bootstrap token kubemark made (its Secret in kube-system), by token id. */
  bootstrapTokenId?: string;
  /** ClusterRoleBindings kubemark made for TLS bootstrapping. */
  clusterRoleBindings?: string[];
  /** The label that marks the Nodes of this cluster's hollow nodes, key=value. */
  nodeSelector?: string;
  /** Node names known in advance (local processes): their Nodes and Leases are removed on stop. */
  nodeNames?: string[];
}

/** The objects of the external provider in its cluster, and how to reach it. */
export interface ExternalDeployment {
  /** A copy of the external cluster's kubeconfig in the state dir (0600). */
  kubeconfig: string;
  namespace: string;
  deployment: string;
  secrets: string[];
  configMaps: string[];
  image: string;
  nodesPerPod: number;
  replicas: number;
  /** Whether kubemark created the namespace (and so deletes it). */
  createdNamespace: boolean;
}

/** One `kubemark hollow-node` process of a local cluster, running nodes firstIndex .. firstIndex+count-1. */
export interface HollowProcessState {
  pid: number;
  /** bin/kubemark.js: what identifies the process in /proc/<pid>/cmdline. */
  binary: string;
  args: string[];
  log: string;
  firstIndex: number;
  count: number;
  metricsPort: number;
}

export function kubemarkHome(): string {
  return process.env.KUBEMARK_HOME || path.join(os.homedir(), ".kubemark");
}

export function clusterDir(name: string): string {
  return path.join(kubemarkHome(), name);
}

/** The paths inside a cluster's state dir, in one place. */
export function clusterLayout(name: string) {
  return layoutAt(clusterDir(name));
}

/** The layout of a described cluster, wherever its state dir is (KUBEMARK_HOME may differ per process). */
export function describedLayout(desc: ClusterDescription) {
  return layoutAt(desc.stateDir);
}

function layoutAt(dir: string) {
  return {
    dir,
    description: path.join(dir, "cluster.json"),
    kubeconfig: path.join(dir, "kubeconfig"),
    pki: path.join(dir, "pki"),
    nodePki: path.join(dir, "pki", "nodes"),
    kubeconfigs: path.join(dir, "kubeconfigs"),
    logs: path.join(dir, "logs"),
    etcdData: path.join(dir, "etcd-data"),
  };
}

export type ClusterLayout = ReturnType<typeof clusterLayout>;

export function validateClusterName(name: string): string | undefined {
  if (!/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/.test(name)) {
    return `cluster name '${name}' is invalid: use up to 40 lowercase letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}

export async function readDescription(name: string): Promise<ClusterDescription | undefined> {
  try {
    return JSON.parse(await readFile(clusterLayout(name).description, "utf8")) as ClusterDescription;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read ${clusterLayout(name).description}: ${(err as Error).message}`);
  }
}

export async function writeDescription(desc: ClusterDescription): Promise<void> {
  const file = describedLayout(desc).description;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(desc, null, 2) + "\n", { mode: 0o600 });
  await rename(tmp, file);
}
