import type { ClusterDescription, HollowNodeProviderName } from "../master/cluster-state.js";
import type { MasterProvider } from "./master-provider.js";

export interface HollowNodeStartOptions {
  count: number;
  sharedWatch: boolean;
  /** Extra `kubemark hollow-node` flags, e.g. --node-labels=... */
  extraArgs: string[];
  timeoutMs: number;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** Local processes: how many. */
  processes?: number;
  /** External pods: the cluster they run in, nodes per pod, the hollow-node image. */
  externalKubeconfig?: string;
  nodesPerPod?: number;
  image?: string;
}

/** Where a hollow node runs, for `kubemark locate`. */
export interface NodeLocation {
  node: string;
  /** "process" (local) or "pod" (external). */
  kind: "process" | "pod";
  /** The pid, or namespace/name of the pod. */
  where: string;
  /** The external node the pod runs on, when scheduled. */
  host?: string;
  /** The local log file (processes). */
  log?: string;
}

export interface LogOptions {
  follow: boolean;
  out: (line: string) => void;
  signal: AbortSignal;
}

/** Where hollow nodes run. One module per provider; see hollowNodeProvider(). */
export interface HollowNodeProvider {
  readonly name: HollowNodeProviderName;
  /** Starts the nodes and resolves when all are Ready on the master; rejects saying what is missing. */
  start(desc: ClusterDescription, master: MasterProvider, opts: HollowNodeStartOptions): Promise<void>;
  /** Stops the nodes and removes what start created where they ran. */
  stop(desc: ClusterDescription, log: (line: string) => void): Promise<void>;
  locate(desc: ClusterDescription, node: string): Promise<NodeLocation>;
  /** Writes the node's log lines (those of its process or pod that concern it) to out. */
  logs(desc: ClusterDescription, node: string, opts: LogOptions): Promise<void>;
}

export const HOLLOW_NODE_PROVIDERS: readonly HollowNodeProviderName[] = ["local", "external"];

export async function hollowNodeProvider(
  name: HollowNodeProviderName = "local",
): Promise<HollowNodeProvider> {
  switch (name) {
    case "local":
      return (await import("./local-processes-provider.js")).localProcessesProvider;
    case "external":
      return (await import("./external-pods-provider.js")).externalPodsProvider;
  }
}
