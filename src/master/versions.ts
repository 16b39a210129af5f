import os from "node:os";
import path from "node:path";

/** The pinned control plane. Kubernetes is a setting (KUBEMARK_KUBERNETES_VERSION); these are the defaults. */
export const DEFAULT_KUBERNETES_VERSION = "v1.37.2";
export const ETCD_VERSION = "v3.6.16";
/**
 * The peers of the side-by-side benchmark (bench/peers.ts). Upstream's Go hollow node is built from the
 * master's own Kubernetes version; KWOK from a tagged release whose go.mod this Go toolchain accepts.
 */
export const KWOK_VERSION = "v0.8.0";

export function kubernetesVersion(): string {
  return process.env.KUBEMARK_KUBERNETES_VERSION || DEFAULT_KUBERNETES_VERSION;
}

/** Per-user cache shared by every clone, CI run and later session on the machine. */
export function cacheRoot(): string {
  const base =
    process.env.KUBEMARK_CACHE_DIR ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "kubemark");
  return base;
}

export const MASTER_BINARIES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
export type MasterBinary = (typeof MASTER_BINARIES)[number] | "etcd";
