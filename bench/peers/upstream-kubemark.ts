import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { describedLayout } from "../../src/master/cluster-state.js";
import { writeKubeconfig } from "../../src/master/kubeconfig-file.js";
import { waitNodesReady } from "../../src/master/local-hollow-nodes.js";
import { issueNodeIdentities, readNodeIdentity } from "../../src/master/node-identities.js";
import { readKeyPair } from "../../src/master/pki.js";
import { freePort } from "../../src/master/ports.js";
import { logTail, spawnDetached, terminate, type Spawned } from "../../src/master/process.js";
import type { Peer, RunningPeer } from "./peer.js";

/**
 * What each hollow kubelet leaves in /tmp, a path fixed in upstream's code whatever TMPDIR says: its root
 * directory (test/utils.MakeTempDirOrDie) and its fake CRI runtime's socket (cri-client's fake endpoint).
 */
const HOST_TMP = "/tmp";
const LEFT_IN_TMP = /^(hollow-kubelet\.\d+|kubelet_remote_\d+\.sock)$/;

/**
 * Upstream's Go hollow node run as plain processes, as its pod would run it: per node one
 * `kubemark --morph=kubelet` and one `kubemark --morph=proxy`. What a pod gives it for free is given here:
 * - its own identity (upstream shares one kubeconfig; here each kubelet is system:node:<name>, as ours are);
 * - a root directory: the hollow kubelet makes its own, /tmp/hollow-kubelet.<random> (with static-pods/
 *   and pod-logs/ in it), so nodes never share one; the bench removes them at stop;
 * - its own ports: each kubelet serves on 0.0.0.0:--kubelet-port, so each gets a free one; the read-only
 *   port is off (0); the healthz server is not started by the hollow kubelet at all;
 * - no host image service (--use-host-image-service=false): there is no containerd here, so the fake
 *   runtime's image service answers instead;
 * - the fake runtime's socket: /tmp/kubelet_remote_<random>.sock, which the hollow kubelet serves itself
 *   (in-process gRPC), so nothing else needs to run; removed at stop too.
 */
export function upstreamKubemark(binary: string): Peer {
  return {
    name: "kubemark",
    async start(desc, nodeNames, timeoutMs, log) {
      const layout = describedLayout(desc);
      const tmpBefore = new Set(await leftInTmp());
      log(`issuing ${nodeNames.length} kubelet identities`);
      await issueNodeIdentities(desc, nodeNames);
      const ca = await readKeyPair(layout.pki, "ca");
      const proxyKubeconfig = path.join(layout.kubeconfigs, "kube-proxy.kubeconfig");
      const spawned: Spawned[] = [];
      const exits: Promise<string>[] = [];
      const launch = (args: string[], logFile: string) => {
        const p = spawnDetached(binary, args, logFile);
        spawned.push(p);
        exits.push(p.exited.then(async (how) => `${binary} ${args[0]} ${how}:\n${await logTail(logFile)}`));
      };
      for (const name of nodeNames) {
        const dir = path.join(layout.dir, "upstream", name);
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const kubeconfig = path.join(dir, "kubeconfig");
        const id = await readNodeIdentity(desc, name);
        await writeKubeconfig(kubeconfig, desc.name, {
          server: desc.server,
          caPem: ca.cert,
          user: `system:node:${name}`,
          certPem: id.cert,
          keyPem: id.key,
        });
        launch(
          [
            "--morph=kubelet",
            `--name=${name}`,
            `--kubeconfig=${kubeconfig}`,
            `--kubelet-port=${await freePort()}`,
            "--kubelet-read-only-port=0",
            "--use-host-image-service=false",
          ],
          path.join(layout.logs, `kubemark-kubelet-${name}.log`),
        );
        launch(
          ["--morph=proxy", `--name=${name}`, `--kubeconfig=${proxyKubeconfig}`],
          path.join(layout.logs, `kubemark-proxy-${name}.log`),
        );
      }
      log(`started ${spawned.length} upstream kubemark processes`);
      const running: RunningPeer = {
        pids: spawned.map((p) => p.pid),
        async stop() {
          await Promise.all(spawned.map((p) => terminate(p.pid, binary, 10_000)));
          for (const entry of await leftInTmp())
            if (!tmpBefore.has(entry)) await rm(path.join(HOST_TMP, entry), { recursive: true, force: true });
        },
      };
      try {
        await waitNodesReady(desc, new Set(nodeNames), timeoutMs, Promise.race(exits), log);
      } catch (err) {
        await running.stop();
        throw err;
      }
      return running;
    },
  };
}

async function leftInTmp(): Promise<string[]> {
  return (await readdir(HOST_TMP)).filter((f) => LEFT_IN_TMP.test(f));
}
