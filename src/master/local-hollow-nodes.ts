import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Informer } from "../client/informer.js";
import { KubeClient } from "../client/kube-client.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import type { Node } from "../client/types.js";
import {
  describedLayout,
  writeDescription,
  type ClusterDescription,
  type HollowProcessState,
} from "./cluster-state.js";
import { localNodeCredentials, type NodeCredentials } from "./node-identities.js";
import { freePort } from "./ports.js";
import { logTail, spawnDetached, terminate } from "./process.js";
import { isConditionTrue } from "../client/conditions.js";

export const KUBEMARK_BIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../bin/kubemark.js",
);
export const HOLLOW_NODE_PREFIX = "hollow-node";
/** Above this many nodes a second process (and core) joins in. */
const NODES_PER_PROCESS = 250;

export interface StartHollowNodesOptions {
  count: number;
  processes?: number;
  sharedWatch?: boolean;
  /** Extra `kubemark hollow-node` flags, e.g. --node-labels=... */
  extraArgs?: string[];
  timeoutMs: number;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** How the nodes authenticate; by default a certificate each from the local master's CA. */
  credentials?: NodeCredentials;
  /** Hears each Node the readiness watch sees until all are Ready, for a caller timing the start. */
  onNode?: (node: Node) => void;
}

export function hollowNodeName(index: number): string {
  return `${HOLLOW_NODE_PREFIX}-${index}`;
}

export function hollowNodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => hollowNodeName(i));
}

/** The `kubemark hollow-node` flags that give its nodes these credentials. */
export function credentialArgs(creds: NodeCredentials): string[] {
  return [
    `--kubeconfig=${creds.kubeconfig}`,
    ...(creds.proxyKubeconfig ? [`--proxy-kubeconfig=${creds.proxyKubeconfig}`] : []),
    ...(creds.nodeCertDir ? [`--node-cert-dir=${creds.nodeCertDir}`] : []),
    ...(creds.bootstrapKubeconfig ? [`--bootstrap-kubeconfig=${creds.bootstrapKubeconfig}`] : []),
  ];
}

/**
 * Starts N hollow nodes as local processes, spread over as many processes as cores (by default each node
 * with its own identity system:node:<name> from the local CA), and returns once all N are Ready on the master.
 */
export async function startHollowNodes(
  desc: ClusterDescription,
  opts: StartHollowNodesOptions,
): Promise<void> {
  const layout = describedLayout(desc);
  const names = hollowNodeNames(opts.count);
  let creds = opts.credentials;
  if (!creds) {
    opts.log(`issuing ${names.length} kubelet identities`);
    creds = await localNodeCredentials(desc, names, opts.sharedWatch === true);
  }
  const processes = Math.max(
    1,
    Math.min(
      opts.processes ?? Math.min(os.cpus().length, Math.ceil(opts.count / NODES_PER_PROCESS)),
      opts.count,
    ),
  );
  desc.hollowNodes = { count: opts.count, processes: [] };
  const exits: Promise<string>[] = [];
  for (let p = 0; p < processes; p++) {
    opts.signal?.throwIfAborted();
    const first = Math.floor((p * opts.count) / processes);
    const last = Math.floor(((p + 1) * opts.count) / processes);
    const metricsPort = await freePort();
    const args = [
      KUBEMARK_BIN,
      "hollow-node",
      ...credentialArgs(creds),
      `--name-prefix=${HOLLOW_NODE_PREFIX}`,
      `--index-offset=${first}`,
      `--count=${last - first}`,
      `--metrics-port=${metricsPort}`,
      ...(opts.sharedWatch ? ["--shared-watch"] : []),
      ...(opts.extraArgs ?? []),
    ];
    const logFile = path.join(layout.logs, `hollow-nodes-${p}.log`);
    const spawned = spawnHollowProcess(desc, args, logFile);
    exits.push(
      spawned.exited.then(
        async (how) =>
          `hollow node process ${p} (pid ${spawned.pid}) ${how}; last lines of ${logFile}:\n${await logTail(logFile)}`,
      ),
    );
    const state: HollowProcessState = {
      pid: spawned.pid,
      binary: KUBEMARK_BIN,
      args,
      log: logFile,
      firstIndex: first,
      count: last - first,
      metricsPort,
    };
    desc.hollowNodes.processes.push(state);
    await writeDescription(desc);
    opts.log(
      `started hollow node process ${p} (pid ${spawned.pid}): ${hollowNodeName(first)} .. ${hollowNodeName(last - 1)}`,
    );
  }
  const aborted = new Promise<string>((resolve) =>
    opts.signal?.addEventListener("abort", () => resolve("interrupted"), { once: true }),
  );
  await waitNodesReady(
    desc,
    new Set(names),
    opts.timeoutMs,
    Promise.race([...exits, aborted]),
    opts.log,
    opts.onNode,
  );
}

/**
 * Watches Nodes until every named one is Ready, a hollow process dies, or the deadline passes; `onNode`
 * hears each Node the watch sees meanwhile.
 */
export async function waitNodesReady(
  desc: ClusterDescription,
  names: Set<string>,
  timeoutMs: number,
  died: Promise<string>,
  log: (l: string) => void,
  onNode?: (node: Node) => void,
): Promise<void> {
  const client = new KubeClient(await loadKubeconfig(desc.kubeconfig));
  const ready = new Set<string>();
  const informer = new Informer<Node>({ client, path: "/api/v1/nodes" });
  const check = (node: Node) => {
    onNode?.(node);
    const name = node.metadata.name ?? "";
    if (!names.has(name)) return;
    if (isConditionTrue(node, "Ready")) ready.add(name);
    else ready.delete(name);
  };
  let done: () => void = () => {};
  const allReady = new Promise<void>((resolve) => (done = resolve));
  informer.on({
    add: (n) => (check(n), ready.size === names.size && done()),
    update: (n) => (check(n), ready.size === names.size && done()),
  });
  informer.start();
  const progress = setInterval(() => log(`${ready.size}/${names.size} hollow nodes Ready`), 5_000);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      allReady,
      died.then((why) => Promise.reject(new Error(why))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const missing = [...names].filter((n) => !ready.has(n));
          reject(
            new Error(
              `${missing.length} of ${names.size} hollow nodes not Ready after ${timeoutMs / 1000} s: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""}`,
            ),
          );
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    clearInterval(progress);
    informer.stop();
    client.close();
  }
}

/** SIGTERM lets each process finish its writes in flight; then SIGKILL. */
export async function stopHollowNodes(desc: ClusterDescription): Promise<void> {
  await Promise.all((desc.hollowNodes?.processes ?? []).map((p) => terminate(p.pid, p.binary, 20_000)));
}

/** Kills a hollow node process without warning (as a crash would) and starts it again with the same flags. */
export async function restartHollowProcess(desc: ClusterDescription, index: number): Promise<void> {
  const p = desc.hollowNodes!.processes[index];
  try {
    process.kill(p.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
  await terminate(p.pid, p.binary, 5_000);
  p.pid = spawnHollowProcess(desc, p.args, p.log).pid;
  await writeDescription(desc);
}

/**
 * One GC helper thread instead of V8's four: a hollow process's parallelism is its sibling processes (one
 * per core), with which, and with the master, more helpers only contend. Measured alternately at 200 nodes
 * and 6,000 pods: helper-thread CPU down by a fifth, hollow CPU per pod lifecycle down 6 %.
 */
const V8_POOL_SIZE_FLAG = "--v8-pool-size=1";

/** A `kubemark hollow-node` process reporting the cluster's Kubernetes version as its kubelets' version. */
function spawnHollowProcess(desc: ClusterDescription, args: string[], logFile: string) {
  return spawnDetached(process.execPath, [V8_POOL_SIZE_FLAG, ...args], logFile, {
    ...process.env,
    KUBEMARK_KUBERNETES_VERSION: desc.kubernetesVersion,
  });
}
