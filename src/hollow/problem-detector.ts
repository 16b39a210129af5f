import type { KubeClient } from "../client/kube-client.js";
import type { Node, NodeCondition } from "../client/types.js";
import { rfc3339 } from "./pods/timestamp.js";

/**
 * Set on a Node by `kubemark node-problem` (any client with rights to annotate Nodes can set it):
 * "not-ready" stops the node's heartbeats; a comma-separated list of condition types turns those True.
 */
export const PROBLEM_ANNOTATION = "kubemark.io/problem";
export const NOT_READY = "not-ready";

/** The conditions node-problem-detector's default monitors own, with their healthy state. */
export const NPD_CONDITIONS: Record<string, { okReason: string; okMessage: string; badReason: string }> = {
  KernelDeadlock: {
    okReason: "KernelHasNoDeadlock",
    okMessage: "kernel has no deadlock",
    badReason: "DockerHung",
  },
  ReadonlyFilesystem: {
    okReason: "FilesystemIsNotReadOnly",
    okMessage: "Filesystem is not read-only",
    badReason: "FilesystemIsReadOnly",
  },
  FrequentKubeletRestart: {
    okReason: "NoFrequentKubeletRestart",
    okMessage: "kubelet is functioning properly",
    badReason: "FrequentKubeletRestart",
  },
  FrequentContainerdRestart: {
    okReason: "NoFrequentContainerdRestart",
    okMessage: "containerd is functioning properly",
    badReason: "FrequentContainerdRestart",
  },
};

/** NPD's exporter re-posts its conditions at least this often. */
const NPD_HEARTBEAT_MS = 5 * 60 * 1000;

export interface NodeProblems {
  notReady: boolean;
  conditions: Set<string>;
}

export function parseProblems(node: Node | undefined): NodeProblems {
  const raw = node?.metadata.annotations?.[PROBLEM_ANNOTATION] ?? "";
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return { notReady: items.includes(NOT_READY), conditions: new Set(items.filter((i) => i !== NOT_READY)) };
}

/**
 * The hollow node-problem-detector: keeps its conditions on the Node, all False unless a problem is
 * injected, patching them when they change and on its heartbeat.
 */
export class HollowProblemDetector {
  private lastPostAt = -Infinity;
  private posted = "";

  constructor(
    private readonly client: KubeClient,
    private readonly nodeName: string,
  ) {}

  async sync(node: Node, problems: NodeProblems, now: number): Promise<void> {
    // As NPD's condition manager, it goes by what it last posted, not by the Node: the Node it is given
    // may not show that post yet, and re-posting on that would double its writes at every node's start.
    const fingerprint = [...problems.conditions].sort().join(",");
    if (fingerprint === this.posted && now - this.lastPostAt < NPD_HEARTBEAT_MS) return;
    const conditions: NodeCondition[] = Object.entries(NPD_CONDITIONS).map(([type, c]) => {
      const bad = problems.conditions.has(type);
      const old = node.status?.conditions?.find((o) => o.type === type);
      const status = bad ? "True" : "False";
      return {
        type,
        status,
        reason: bad ? c.badReason : c.okReason,
        message: bad ? `${type} injected by kubemark node-problem` : c.okMessage,
        lastHeartbeatTime: rfc3339(now),
        lastTransitionTime:
          old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now),
      };
    });
    await this.client.patch(
      `/api/v1/nodes/${this.nodeName}/status`,
      { status: { conditions } },
      "strategic",
      { discardBody: true },
    );
    this.posted = fingerprint;
    this.lastPostAt = now;
  }
}
