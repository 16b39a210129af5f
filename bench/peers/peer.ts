import type { ClusterDescription } from "../../src/master/cluster-state.js";

/** Who simulates the nodes: upstream's Go hollow node, KWOK, or ours in either watch mode. */
export type PeerName = "kubemark" | "kwok" | "ours-fidelity" | "ours-shared";

export interface RunningPeer {
  /** The processes whose CPU and memory are the peer's cost. */
  pids: number[];
  stop(): Promise<void>;
}

export interface Peer {
  name: PeerName;
  /** Starts the named nodes on the cluster; resolves once every one is Ready on the master. */
  start(
    desc: ClusterDescription,
    nodeNames: string[],
    timeoutMs: number,
    log: (line: string) => void,
  ): Promise<RunningPeer>;
}
