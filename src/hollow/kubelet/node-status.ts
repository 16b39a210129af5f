import type { KubeClient } from "../../client/kube-client.js";
import type { ObjectCodec } from "../../client/object-codec.js";
import { node as nodeSchema } from "../../client/protobuf/core-v1.js";
import type { ContainerImage, Node, NodeCondition } from "../../client/types.js";
import { requestCodec } from "../codecs.js";
import { kubeletConditions, nodeStatus, type HollowNodeConfig } from "../node-config.js";

/** nodeStatusReportFrequency: report at least this often even when nothing changed. */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60 * 1000;
/** nodeStatusUpdateFrequency: how often the kubelet checks its Node to decide whether to report. */
export const NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;

const KUBELET_CONDITIONS = new Set(["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]);

/**
 * The kubelet's node status loop body (tryUpdateNodeStatus): compare its Node as its informer holds it (the
 * kubelet reads the lister, not the API server, since 1.27) with what it would report, and PATCH
 * nodes/<node>/status only when the kubelet-owned part changed or the report frequency has passed. While
 * the informer holds no Node (its watch has not delivered one yet, as when a start keeps the API server's
 * Node cache behind), the lister's miss makes the kubelet's next try GET the Node from the API server.
 */
export class NodeStatusReporter {
  private lastReportAt = -Infinity;
  private readonly codec: ObjectCodec<Node>;

  constructor(
    private readonly client: KubeClient,
    private readonly cfg: HollowNodeConfig,
    /** Network readiness: the kubelet is Ready once its node has a podCIDR. */
    private readonly ready: () => boolean,
    /** The images the node holds, for status.images. */
    private readonly images: () => ContainerImage[],
    /** Hears the Node each pass compares against: the kubelet learns its podCIDR from it (updatePodCIDR). */
    private readonly onRead: (node: Node) => void,
  ) {
    this.codec = requestCodec<Node>(client, nodeSchema);
  }

  /** One pass: `cached` is the informer's Node, if it holds one; `now` is read once the Node is at hand. */
  async sync(cached: Node | undefined, now: () => number): Promise<void> {
    // The kubelet's heartbeat client, which is not rate limited.
    const node =
      cached ??
      (await this.client.requestObject("GET", `/api/v1/nodes/${this.cfg.name}`, this.codec, undefined, {
        unthrottled: true,
      }));
    this.onRead(node);
    const at = now();
    const current = (node.status?.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type));
    const desired = this.desiredConditions(current, at);
    const images = this.images();
    const changed =
      !sameConditions(current, desired) || this.capacityChanged(node) || !sameImages(node, images);
    if (changed || at - this.lastReportAt >= NODE_STATUS_REPORT_FREQUENCY_MS) {
      await this.client.patch(
        `/api/v1/nodes/${this.cfg.name}/status`,
        { status: nodeStatus(this.cfg, desired, images) },
        "strategic",
        { discardBody: true },
      );
      this.lastReportAt = at;
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
