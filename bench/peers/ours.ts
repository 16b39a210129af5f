import { startHollowNodes, stopHollowNodes } from "../../src/master/local-hollow-nodes.js";
import type { Peer } from "./peer.js";

/**
 * Our hollow nodes, in one process as KWOK is one (the default would add a second process, and its
 * runtime's memory, above 250 nodes). Node names are startHollowNodes' own, hollow-node-<i>, which is
 * what the bench names every peer's nodes.
 */
export function ours(mode: "fidelity" | "shared"): Peer {
  return {
    name: mode === "shared" ? "ours-shared" : "ours-fidelity",
    async start(desc, nodeNames, timeoutMs, log) {
      await startHollowNodes(desc, {
        count: nodeNames.length,
        processes: 1,
        sharedWatch: mode === "shared",
        timeoutMs,
        log,
      });
      return {
        pids: desc.hollowNodes!.processes.map((p) => p.pid),
        stop: () => stopHollowNodes(desc),
      };
    },
  };
}
