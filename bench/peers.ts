/**
 * npm run bench:peers — our hollow nodes side by side with upstream kubemark's Go hollow node and KWOK,
 * each on a fresh master of the same build and flags, one after the other: per-node CPU and RSS, time to
 * all Ready, pod startup and the node side's CPU per pod, the master's load per node, and a fidelity
 * figure (our requests and watches / upstream's, per kind). Long: run it by hand, not in CI.
 *
 * BENCH_KUBEMARK_SIZES (default 20,50): sizes every peer runs at, upstream's one process per node included;
 * BENCH_LARGE_SIZES (1000): sizes only KWOK and ours run at; BENCH_PEERS (all four) picks peers;
 * BENCH_STEADY_SECONDS (60), BENCH_IDLE_SECONDS (30), BENCH_SETTLE_SECONDS (15); BENCH_PODS_PER_NODE (30)
 * and BENCH_POD_SIZES (default the kubemark sizes) for the pod phase. Writes bench/results/peers.{json,md}
 * and the README's table; prints the JSON on stdout and the markdown on stderr. BENCH_FROM_JSON=FILE
 * renders a previous run's JSON again instead of running.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { KubeClient } from "../src/client/kube-client.js";
import { loadKubeconfig } from "../src/client/kubeconfig.js";
import { hollowNodeName } from "../src/master/local-hollow-nodes.js";
import { startLocalMaster, stopCluster } from "../src/master/local-master.js";
import { ETCD_VERSION, KWOK_VERSION, kubernetesVersion } from "../src/master/versions.js";
import { loadBetween, loadPerNode, scrapeApiserver } from "./peers/apiserver-load.js";
import { buildPeerBinaries } from "./peers/binaries.js";
import { kwok } from "./peers/kwok.js";
import { ours } from "./peers/ours.js";
import type { Peer, PeerName } from "./peers/peer.js";
import { podPhase } from "./peers/pod-phase.js";
import { millicores, sampleProcesses, steadyRate } from "./peers/process-usage.js";
import { fidelityBySize, markdownReport, type PeersReport } from "./peers/report.js";
import type { PeerResult } from "./peers/result.js";
import { upstreamKubemark } from "./peers/upstream-kubemark.js";
import { BENCH_MASTER_ARGS } from "./support/master-args.js";
import { sleep } from "./support/wait.js";

const numbers = (v: string) => v.split(",").filter(Boolean).map(Number);
const kubemarkSizes = numbers(process.env.BENCH_KUBEMARK_SIZES ?? "20,50");
const largeSizes = numbers(process.env.BENCH_LARGE_SIZES ?? "1000");
const peerNames = (process.env.BENCH_PEERS ?? "kubemark,kwok,ours-fidelity,ours-shared").split(
  ",",
) as PeerName[];
const settings = {
  steadySeconds: Number(process.env.BENCH_STEADY_SECONDS ?? 60),
  idleSeconds: Number(process.env.BENCH_IDLE_SECONDS ?? 30),
  settleSeconds: Number(process.env.BENCH_SETTLE_SECONDS ?? 15),
  podsPerNode: Number(process.env.BENCH_PODS_PER_NODE ?? 30),
};
const podSizes = new Set(numbers(process.env.BENCH_POD_SIZES ?? kubemarkSizes.join(",")));
const READY_TIMEOUT_MS = 900_000;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const log = (line: string) => process.stderr.write(`[bench:peers] ${line}\n`);

async function runOne(peer: Peer, nodes: number): Promise<PeerResult> {
  const desc = await startLocalMaster({ name: `${peer.name}-${nodes}`, extraArgs: BENCH_MASTER_ARGS });
  const admin = new KubeClient(await loadKubeconfig(desc.kubeconfig));
  const apiserverPid = desc.components["kube-apiserver"].pid;
  let running: Awaited<ReturnType<Peer["start"]>> | undefined;
  try {
    // The master's own start-up traffic (controllers listing everything) settles first.
    await sleep(settings.settleSeconds * 1000);
    const idle = await window(admin, apiserverPid, [], settings.idleSeconds);
    const t0 = performance.now();
    running = await peer.start(desc, nodeNames(nodes), READY_TIMEOUT_MS, log);
    const secondsToAllReady = (performance.now() - t0) / 1000;
    log(`${peer.name}: ${nodes} nodes Ready in ${secondsToAllReady.toFixed(1)} s`);
    // Registration's aftermath (first status reports, podCIDRs, kube-proxy's first sync) settles too.
    await sleep(settings.settleSeconds * 1000);
    const steady = await window(admin, apiserverPid, running.pids, settings.steadySeconds);
    const load = loadPerNode(steady.load, idle.load, nodes);
    const result: PeerResult = {
      peer: peer.name,
      nodes,
      secondsToAllReady: +secondsToAllReady.toFixed(1),
      processes: running.pids.length,
      millicoresPerNode: +(steady.peer.rate.all / nodes).toFixed(4),
      rssKiBPerNode: +(steady.peer.rssBytes / 1024 / nodes).toFixed(1),
      rssMiBTotal: +(steady.peer.rssBytes / 2 ** 20).toFixed(1),
      apiserver: {
        millicores: Math.round(steady.apiserver.millicores),
        rssMiB: Math.round(steady.apiserver.rssBytes / 2 ** 20),
        idleMillicores: Math.round(idle.apiserver.millicores),
        idleRssMiB: Math.round(idle.apiserver.rssBytes / 2 ** 20),
      },
      load,
      requestsPerNodePerMinute: +Object.entries(load.requestsPerNodePerMinute)
        .filter(([k]) => !k.startsWith("WATCH "))
        .reduce((a, [, v]) => a + v, 0)
        .toFixed(3),
    };
    if (podSizes.has(nodes) && settings.podsPerNode > 0) {
      log(`${peer.name}: ${nodes * settings.podsPerNode} pods`);
      result.pods = await podPhase(admin, running.pids, nodes * settings.podsPerNode, steady.peer.rate);
    }
    log(JSON.stringify(result));
    return result;
  } finally {
    admin.close();
    await running?.stop();
    await stopCluster(desc);
    await rm(desc.stateDir, { recursive: true, force: true });
  }
}

/** A measured window: the API server's load, and CPU and RSS of the API server and of the peer's processes. */
async function window(admin: KubeClient, apiserverPid: number, peerPids: number[], seconds: number) {
  const sample = () =>
    Promise.all([sampleProcesses([apiserverPid]), sampleProcesses(peerPids), scrapeApiserver(admin)]);
  const [api0, peer0, s0] = await sample();
  await sleep(seconds * 1000);
  const [api1, peer1, s1] = await sample();
  return {
    load: loadBetween(s0, s1),
    apiserver: { millicores: millicores(api0, api1), rssBytes: api1.rssBytes },
    // With no peer processes (the idle window) both samples sum to zero, and so does the rate.
    peer: { rate: steadyRate(peer0, peer1), rssBytes: peer1.rssBytes },
  };
}

function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => hollowNodeName(i));
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`;
}

/** Replaces what sits between the README's bench:peers markers with the latest table. */
async function updateReadme(markdown: string): Promise<void> {
  const file = path.join(repoRoot, "README.md");
  const readme = await readFile(file, "utf8");
  const begin = "<!-- bench:peers begin -->";
  const end = "<!-- bench:peers end -->";
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) {
    log(`README.md has no ${begin} ... ${end} section; not updated`);
    return;
  }
  await writeFormatted(
    file,
    readme.slice(0, from + begin.length) + "\n\n" + markdown.trim() + "\n\n" + readme.slice(to),
  );
}

/** Writes a file as `npm run format` would leave it, so that the results pass `npm run lint`. */
async function writeFormatted(file: string, text: string): Promise<void> {
  const options = (await resolveConfig(file)) ?? {};
  await writeFile(file, await format(text, { ...options, filepath: file }));
}

/** The peers one after the other at each size; upstream kubemark only at the sizes it fits at. */
async function runAll(): Promise<PeerResult[]> {
  const binaries = await buildPeerBinaries(log);
  const peers: Record<PeerName, Peer> = {
    kubemark: upstreamKubemark(binaries.kubemark),
    kwok: kwok(binaries.kwok),
    "ours-fidelity": ours("fidelity"),
    "ours-shared": ours("shared"),
  };
  const home = await mkdtemp(path.join(os.tmpdir(), "kmpeers-"));
  process.env.KUBEMARK_HOME = home;
  const results: PeerResult[] = [];
  try {
    for (const nodes of [...new Set([...kubemarkSizes, ...largeSizes])].sort((a, b) => a - b)) {
      for (const name of peerNames) {
        if (name === "kubemark" && !kubemarkSizes.includes(nodes)) continue;
        log(`${name}: ${nodes} nodes`);
        results.push(await runOne(peers[name], nodes));
      }
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  return results;
}

// BENCH_FROM_JSON=bench/results/peers.json re-renders a previous run's results (after a report change).
const previous = process.env.BENCH_FROM_JSON
  ? (JSON.parse(await readFile(process.env.BENCH_FROM_JSON, "utf8")) as PeersReport)
  : undefined;
const results = previous?.results ?? (await runAll());
const report: PeersReport = {
  benchmark: "peers",
  date: previous?.date ?? new Date().toISOString().slice(0, 10),
  machine: previous?.machine ?? machine(),
  versions: {
    master: `Kubernetes ${kubernetesVersion()}, etcd ${ETCD_VERSION}`,
    "upstream kubemark": `k8s.io/kubernetes/cmd/kubemark ${kubernetesVersion()}`,
    KWOK: `sigs.k8s.io/kwok/cmd/kwok ${KWOK_VERSION}`,
    Node: process.version,
  },
  settings: previous?.settings ?? settings,
  results,
  fidelity: fidelityBySize(results),
};
const markdown = markdownReport(report);
const resultsDir = path.join(repoRoot, "bench", "results");
await mkdir(resultsDir, { recursive: true });
await writeFormatted(path.join(resultsDir, "peers.json"), JSON.stringify(report, null, 2));
await writeFormatted(path.join(resultsDir, "peers.md"), markdown);
await updateReadme(markdown);
console.log(JSON.stringify(report, null, 2));
process.stderr.write("\n" + markdown + "\n");
