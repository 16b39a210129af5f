import type { KubeClient } from "../../client/kube-client.js";
import type { Node, NodeCondition } from "../../client/types.js";
import { kubeletConditions, nodeStatus, type HollowNodeConfig } from "../node-config.js";

/** nodeStatusReportFrequency: report at least this often even when nothing changed. */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60 * 1000;
/** nodeStatusUpdateFrequency: how often the kubelet reads its Node to decide whether to report. */
export const NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;

const KUBELET_CONDITIONS = new Set(["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]);

/**
 * The kubelet's node status loop body: GET its Node from the watch cache (resourceVersion=0), and PATCH
 * nodes/<node>/status only when the kubelet-owned part changed or the report frequency has passed.
 */
export class NodeStatusReporter {
  private lastReportAt = -Infinity;

  constructor(
    private readonly client: KubeClient,
    private readonly cfg: HollowNodeConfig,
    /** Network readiness: the kubelet is Ready once its node has a podCIDR. */
    private readonly ready: () => boolean,
  ) {}

  private get path(): string {
    return `/api/v1/nodes/${this.cfg.name}`;
  }

  /** Returns the Node as read, for the caller's podCIDR and problem annotations. */
  async sync(now: number): Promise<Node> {
    // As the kubelet: the first try reads the watch cache; a retry reads etcd (the cache may lag a
    // registration by a moment).
    const node = await this.client
      .get<Node>(this.path, { query: { resourceVersion: "0" } })
      .catch(() => this.client.get<Node>(this.path));
    const current = (node.status?.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type));
    const desired = this.desiredConditions(current, now);
    const changed = !sameConditions(current, desired) || this.capacityChanged(node);
    if (changed || now - this.lastReportAt >= NODE_STATUS_REPORT_FREQUENCY_MS) {
      await this.client.patch(`${this.path}/status`, { status: nodeStatus(this.cfg, desired) }, "strategic", {
        discardBody: true,
      });
      this.lastReportAt = now;
    }
    return node;
  }

  /** Keeps each condition's lastTransitionTime unless its status flips. */
  private desiredConditions(current: NodeCondition[], now: number): NodeCondition[] {
    const fresh = kubeletConditions(this.ready(), now, now);
    return fresh.map((c) => {
      const old = current.find((o) => o.type === c.type);
      if (old && old.status === c.status && old.lastTransitionTime) {
        return { ...c, lastTransitionTime: old.lastTransitionTime };
      }
      return c;
    });
  }

  private capacityChanged(node: Node): boolean {
    const have = node.status?.capacity ?? {};
    return (
      Object.entries(this.cfg.capacity).some(([k, v]) => have[k] !== v) ||
      !node.status?.nodeInfo?.kubeletVersion
    );
  }
}

function sameConditions(a: NodeCondition[], b: NodeCondition[]): boolean {
  if (a.length !== b.length) return false;
  return b.every((want) => {
    const have = a.find((c) => c.type === want.type);
    return (
      have !== undefined &&
      have.status === want.status &&
      have.reason === want.reason &&
      have.message === want.message
    );
  });
}
