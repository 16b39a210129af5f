import { writeDescription, type ClusterDescription } from "../master/cluster-state.js";
import {
  HOLLOW_NODE_PREFIX,
  hollowNodeNames,
  startHollowNodes,
  stopHollowNodes,
} from "../master/local-hollow-nodes.js";
import type { HollowNodeProvider, NodeLocation } from "./hollow-node-provider.js";
import { concernsNode, readLogFile } from "./node-log.js";

/** Hollow nodes as `kubemark hollow-node` processes on this machine (src/master/local-hollow-nodes.ts). */
export const localProcessesProvider: HollowNodeProvider = {
  name: "local",

  async start(desc, master, opts) {
    const nodeNames = hollowNodeNames(opts.count);
    desc.hollowNodeProvider = "local";
    if (desc.masterProvider === "existing") {
      // Recorded before the nodes register, so that a stop after any failure removes them from the master.
      desc.onMaster = { ...desc.onMaster, nodeNames };
      await writeDescription(desc);
    }
    const credentials = await master.nodeCredentials(desc, {
      nodeNames,
      sharedWatch: opts.sharedWatch,
      log: opts.log,
    });
    await startHollowNodes(desc, { ...opts, credentials });
  },

  async stop(desc) {
    await stopHollowNodes(desc);
  },

  async locate(desc, node) {
    const p = processOf(desc, node);
    return {
      node,
      kind: "process",
      where: `pid ${p.pid}`,
      host: "localhost",
      log: p.log,
    } satisfies NodeLocation;
  },

  async logs(desc, node, opts) {
    const p = processOf(desc, node);
    const processNodes = new Set(hollowNodeNames(p.firstIndex + p.count).slice(p.firstIndex));
    await readLogFile(
      p.log,
      (line) => concernsNode(line, node, processNodes) && opts.out(line),
      opts.follow,
      opts.signal,
    );
  },
};

/** The local process that runs a node, by the index in its name. */
function processOf(desc: ClusterDescription, node: string) {
  const m = new RegExp(`^${HOLLOW_NODE_PREFIX}-(\\d+)$`).exec(node);
  const index = m ? Number(m[1]) : -1;
  const p = desc.hollowNodes?.processes.find((x) => index >= x.firstIndex && index < x.firstIndex + x.count);
  if (!p) {
    const count = desc.hollowNodes?.count ?? 0;
    throw new Error(
      `cluster '${desc.name}' runs no hollow node '${node}'${count ? ` (it runs ${HOLLOW_NODE_PREFIX}-0 .. ${HOLLOW_NODE_PREFIX}-${count - 1})` : ""}`,
    );
  }
  return p;
}
