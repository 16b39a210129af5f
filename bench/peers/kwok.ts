import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { KubeClient } from "../../src/client/kube-client.js";
import { loadKubeconfig } from "../../src/client/kubeconfig.js";
import { KWOK_DEFAULT_STAGES } from "../../src/master/build.js";
import { describedLayout } from "../../src/master/cluster-state.js";
import { waitNodesReady } from "../../src/master/local-hollow-nodes.js";
import { freePort } from "../../src/master/ports.js";
import { logTail, spawnDetached, terminate } from "../../src/master/process.js";
import type { Peer } from "./peer.js";

/** The label that hands a Node to KWOK (--manage-nodes-with-label-selector). */
const KWOK_NODE_LABEL = "kubemark.io/simulated-by";
/** Nodes created at once: each is one POST; more in flight only queues them at the API server. */
const CREATE_PARALLEL = 16;

/**
 * KWOK as its docs run it: one `kwok` process with the admin kubeconfig, managing the Nodes that carry a
 * label, with kwokctl's default stages (node initialise, heartbeat with 40 s leases; pod ready, complete,
 * delete). KWOK does not register nodes, so the bench creates them, with upstream hollow node's capacity
 * (1 CPU, 3840Mi, 110 pods) so the scheduler packs pods on them as on the others.
 */
export function kwok(binary: string): Peer {
  return {
    name: "kwok",
    async start(desc, nodeNames, timeoutMs, log) {
      const layout = describedLayout(desc);
      const stagesFile = path.join(layout.dir, "kwok-stages.yaml");
      const stages = await Promise.all(
        KWOK_DEFAULT_STAGES.map((s) => readFile(path.join(path.dirname(binary), s), "utf8")),
      );
      await writeFile(stagesFile, stages.map((s) => s.trim()).join("\n---\n") + "\n");
      const logFile = path.join(layout.logs, "kwok.log");
      const args = [
        `--kubeconfig=${desc.kubeconfig}`,
        `--config=${stagesFile}`,
        `--manage-nodes-with-label-selector=${KWOK_NODE_LABEL}=kwok`,
        "--node-lease-duration-seconds=40",
        `--server-address=127.0.0.1:${await freePort()}`,
      ];
      const started = performance.now();
      const proc = spawnDetached(binary, args, logFile);
      const running = { pids: [proc.pid], stop: () => terminate(proc.pid, binary, 10_000) };
      try {
        await createNodes(desc.kubeconfig, nodeNames);
        log(`created ${nodeNames.length} nodes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        const died = proc.exited.then(async (how) => `kwok ${how}:\n${await logTail(logFile)}`);
        await waitNodesReady(desc, new Set(nodeNames), timeoutMs, died, log);
      } catch (err) {
        await running.stop();
        throw err;
      }
      return running;
    },
  };
}

async function createNodes(kubeconfig: string, names: string[]): Promise<void> {
  const admin = new KubeClient(await loadKubeconfig(kubeconfig));
  try {
    for (let i = 0; i < names.length; i += CREATE_PARALLEL) {
      await Promise.all(
        names.slice(i, i + CREATE_PARALLEL).map((name) =>
          admin.create(
            "/api/v1/nodes",
            {
              apiVersion: "v1",
              kind: "Node",
              metadata: {
                name,
                labels: {
                  [KWOK_NODE_LABEL]: "kwok",
                  "kubernetes.io/hostname": name,
                  "kubernetes.io/os": "linux",
                  "kubernetes.io/arch": "amd64",
                },
                annotations: { "kwok.x-k8s.io/node": "fake" },
              },
              status: {
                capacity: { cpu: "1", memory: "3840Mi", pods: "110" },
                allocatable: { cpu: "1", memory: "3840Mi", pods: "110" },
              },
            },
            { discardBody: true },
          ),
        ),
      );
    }
  } finally {
    admin.close();
  }
}
