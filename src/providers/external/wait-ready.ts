import type { KubeClient } from "../../client/kube-client.js";
import type { KubeList, KubeObject, Node, Pod } from "../../client/types.js";
import { isConditionTrue } from "../../client/conditions.js";
import { Informer } from "../../client/informer.js";

/** Waiting reasons that do not go away by waiting: the image cannot run as it is. */
const HOPELESS_REASONS = new Set([
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CrashLoopBackOff",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
]);
const PROGRESS_EVERY_MS = 5_000;
const POLL_EVERY_MS = 1_000;

export interface ReadinessWait {
  external: KubeClient;
  master: KubeClient;
  namespace: string;
  deployment: string;
  podSelector: string;
  nodeSelector: string;
  replicas: number;
  nodesPerPod: number;
  timeoutMs: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

interface Deployment extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

interface Snapshot {
  pods: Pod[];
  running: Pod[];
  readyNodes: Set<string>;
}

/**
 * Polls the external cluster's hollow-node pods and the master's Nodes until every pod is Running and
 * every node of every pod is Ready, logging progress. Rejects at once when a pod cannot start (naming the
 * pods and why), and at the deadline with what is missing.
 */
export async function waitPodsAndNodesReady(w: ReadinessWait): Promise<void> {
  const deadline = Date.now() + w.timeoutMs;
  // The master's Nodes from a watch: a LIST of a thousand Nodes a second would load the master measured.
  const nodes = new Informer<Node>({
    client: w.master,
    path: "/api/v1/nodes",
    labelSelector: w.nodeSelector,
  });
  nodes.start();
  try {
    await poll(w, nodes, deadline);
  } finally {
    nodes.stop();
  }
}

async function poll(w: ReadinessWait, nodes: Informer<Node>, deadline: number): Promise<void> {
  const wantedNodes = w.replicas * w.nodesPerPod;
  let lastProgress = 0;
  for (;;) {
    w.signal?.throwIfAborted();
    const s = await snapshot(w, nodes);
    const hopeless = s.pods.flatMap((p) =>
      problemsOf(p)
        .filter((x) => HOPELESS_REASONS.has(x.reason))
        .map((x) => describeProblem(w.namespace, p, x)),
    );
    if (hopeless.length > 0) throw new Error(`hollow-node pods cannot start:\n  ${hopeless.join("\n  ")}`);
    const failure = await replicaFailure(w);
    if (failure) throw new Error(`the external cluster does not create the hollow-node pods: ${failure}`);
    if (s.running.length >= w.replicas && s.readyNodes.size >= wantedNodes) return;
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      w.log(
        `pods Running ${s.running.length}/${w.replicas}, hollow nodes Ready ${s.readyNodes.size}/${wantedNodes}`,
      );
    }
    if (Date.now() > deadline) throw new Error(whatIsMissing(w, s, wantedNodes));
    await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
  }
}

async function snapshot(w: ReadinessWait, nodes: Informer<Node>): Promise<Snapshot> {
  const pods = await w.external.get<KubeList<Pod>>(`/api/v1/namespaces/${w.namespace}/pods`, {
    query: { labelSelector: w.podSelector },
  });
  const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
  return {
    pods: live,
    running: live.filter((p) => p.status?.phase === "Running"),
    readyNodes: new Set(
      [...nodes.list()].filter((n) => isConditionTrue(n, "Ready")).map((n) => n.metadata.name!),
    ),
  };
}

interface Problem {
  reason: string;
  message?: string;
}

/** Why a pod is not running: its containers' waiting reasons, or its phase and scheduling condition. */
function problemsOf(pod: Pod): Problem[] {
  const waiting = (pod.status?.containerStatuses ?? []).flatMap((c) =>
    c.state?.waiting?.reason ? [{ reason: c.state.waiting.reason, message: c.state.waiting.message }] : [],
  );
  if (waiting.length > 0) return waiting;
  if (pod.status?.phase === "Failed") return [{ reason: "Failed", message: pod.status.message }];
  const unscheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
  if (unscheduled) return [{ reason: unscheduled.reason ?? "Unschedulable", message: unscheduled.message }];
  return [];
}

function describeProblem(namespace: string, pod: Pod, p: Problem): string {
  return `${namespace}/${pod.metadata.name}: ${formatProblem(p)}`;
}

function formatProblem(p: Problem): string {
  return `${p.reason}${p.message ? ` (${p.message})` : ""}`;
}

async function replicaFailure(w: ReadinessWait): Promise<string | undefined> {
  const d = await w.external.get<Deployment>(
    `/apis/apps/v1/namespaces/${w.namespace}/deployments/${w.deployment}`,
  );
  const c = d.status?.conditions?.find((x) => x.type === "ReplicaFailure" && x.status === "True");
  return c ? `${c.reason ?? "ReplicaFailure"}: ${c.message ?? ""}` : undefined;
}

function whatIsMissing(w: ReadinessWait, s: Snapshot, wantedNodes: number): string {
  const lines = [
    `not ready after ${w.timeoutMs / 1000} s: pods Running ${s.running.length}/${w.replicas}, hollow nodes Ready ${s.readyNodes.size}/${wantedNodes}`,
  ];
  for (const p of s.pods) {
    if (p.status?.phase !== "Running") {
      const why = problemsOf(p);
      lines.push(
        `  pod ${w.namespace}/${p.metadata.name}: ${p.status?.phase ?? "Pending"}${why.length ? `, ${why.map(formatProblem).join("; ")}` : ""}`,
      );
      continue;
    }
    const missing = Array.from({ length: w.nodesPerPod }, (_, i) => `${p.metadata.name}-${i}`).filter(
      (n) => !s.readyNodes.has(n),
    );
    if (missing.length > 0)
      lines.push(
        `  pod ${w.namespace}/${p.metadata.name} on ${p.spec.nodeName}: nodes not Ready on the master: ${missing.join(", ")}`,
      );
  }
  if (s.pods.length < w.replicas) lines.push(`  ${w.replicas - s.pods.length} pod(s) not created`);
  return lines.join("\n");
}
