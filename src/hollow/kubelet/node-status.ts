import type { KubeClient } from "../../client/kube-client.js";
import type { ContainerImage, Node, NodeCondition } from "../../client/types.js";
import { kubeletConditions, nodeStatus, type HollowNodeConfig } from "../node-config.js";

/** nodeStatusReportFrequency: report at least this often even when nothing changed. */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60 * 1000;
/** nodeStatusUpdateFrequency: how often the kubelet checks its Node to decide whether to report. */
export const NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;

const KUBELET_CONDITIONS = new Set(["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]);

/**
 * The kubelet's node status loop body: compare its Node as its informer holds it (the kubelet reads the
 * lister, not the API server, since 1.27) with what it would report, and PATCH nodes/<node>/status
 * only when the kubelet-owned part changed or the report frequency has passed.
 */
export class NodeStatusReporter {
  private lastReportAt = -Infinity;

  constructor(
    private readonly client: KubeClient,
    private readonly cfg: HollowNodeConfig,
    /** Network readiness: the kubelet is Ready once its node has a podCIDR. */
    private readonly ready: () => boolean,
    /** The images the node holds, for status.images. */
    private readonly images: () => ContainerImage[],
  ) {}

  async sync(node: Node, now: number): Promise<void> {
    const current = (node.status?.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type));
    const desired = this.desiredConditions(current, now);
    const images = this.images();
    const changed =
      !sameConditions(current, desired) || this.capacityChanged(node) || !sameImages(node, images);
    if (changed || now - this.lastReportAt >= NODE_STATUS_REPORT_FREQUENCY_MS) {
      await this.client.patch(
        `/api/v1/nodes/${this.cfg.name}/status`,
        { status: nodeStatus(this.cfg, desired, images) },
        "strategic",
        { discardBody: true },
      );
      this.lastReportAt = now;
    }
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

function sameImages(node: Node, images: ContainerImage[]): boolean {
  const have = node.status?.images ?? [];
  return have.length === images.length && images.every((image, i) => have[i]?.names[0] === image.names[0]);
}
