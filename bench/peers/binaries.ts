import path from "node:path";
import {
  buildControlPlane,
  buildPrograms,
  kwokProgram,
  upstreamKubemarkProgram,
} from "../../src/master/build.js";

export interface PeerBinaries {
  /** Upstream's Go hollow node, k8s.io/kubernetes/cmd/kubemark. */
  kubemark: string;
  kwok: string;
}

/**
 * Builds (or finds cached) the master, upstream's hollow node and KWOK, all in the same cache, so that the
 * bench runs from a clean clone; cached builds take under a second.
 */
export async function buildPeerBinaries(log: (line: string) => void): Promise<PeerBinaries> {
  await buildControlPlane({ log });
  const [kubemarkDir, kwokDir] = await buildPrograms([upstreamKubemarkProgram(), kwokProgram()], { log });
  return { kubemark: path.join(kubemarkDir, "kubemark"), kwok: path.join(kwokDir, "kwok") };
}
