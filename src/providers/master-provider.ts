import type { ClusterDescription, MasterProviderName } from "../master/cluster-state.js";
import type { ExtraArgs } from "../master/components.js";
import type { NodeCredentials } from "../master/node-identities.js";

export type { NodeCredentials };

export interface MasterStartOptions {
  name: string;
  timeoutMs: number;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** Local master: where its binaries are, its API server port, extra component flags. */
  binDir?: string;
  apiserverPort?: number;
  extraArgs?: ExtraArgs;
  /** Existing master: its kubeconfig, and a bootstrap token hollow nodes join with (id.secret). */
  masterKubeconfig?: string;
  bootstrapToken?: string;
}

export interface CredentialRequest {
  /** Node names known in advance (local processes); absent when nodes name themselves (pods). */
  nodeNames?: string[];
  /** Whether one pod watch per process is used: it needs to list every pod. */
  sharedWatch: boolean;
  log: (line: string) => void;
}

/** Where the master comes from. One module per provider; see masterProvider(). */
export interface MasterProvider {
  readonly name: MasterProviderName;
  /** Starts or reaches the master and records it in cluster.json; rejects with the reason if it cannot. */
  start(opts: MasterStartOptions): Promise<ClusterDescription>;
  /** How hollow nodes authenticate to this master; records on desc what it created there. */
  nodeCredentials(desc: ClusterDescription, req: CredentialRequest): Promise<NodeCredentials>;
  /** Removes what start created (after the hollow nodes are stopped) and, unless keepState, the state dir. */
  stop(desc: ClusterDescription, keepState: boolean): Promise<void>;
}

export const MASTER_PROVIDERS: readonly MasterProviderName[] = ["local", "existing"];

/** Providers are loaded on demand so that one never carries another's dependencies. */
export async function masterProvider(name: MasterProviderName = "local"): Promise<MasterProvider> {
  switch (name) {
    case "local":
      return (await import("./local-master-provider.js")).localMasterProvider;
    case "existing":
      return (await import("./existing-master-provider.js")).existingMasterProvider;
  }
}
