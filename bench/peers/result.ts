import type { LoadPerNode } from "./apiserver-load.js";
import type { PeerName } from "./peer.js";
import type { PodPhaseResult } from "./pod-phase.js";

/** One peer at one size on a fresh master. */
export interface PeerResult {
  peer: PeerName;
  nodes: number;
  secondsToAllReady: number;
  processes: number;
  /** The peer's processes, summed, in steady state. */
  millicoresPerNode: number;
  rssKiBPerNode: number;
  rssMiBTotal: number;
  /** The API server with the nodes in steady state, and idle before they came. */
  apiserver: { millicores: number; rssMiB: number; idleMillicores: number; idleRssMiB: number };
  load: LoadPerNode;
  /** All requests per node per minute but WATCH (watches are counted open, in load.watchesPerNode). */
  requestsPerNodePerMinute: number;
  pods?: PodPhaseResult;
}
