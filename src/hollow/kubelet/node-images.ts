import type { ContainerImage, Pod } from "../../client/types.js";
import { containerImage } from "../pods/image-ref.js";

/** The kubelet reports at most this many images in status.images (nodeStatusMaxImages), largest first. */
const NODE_STATUS_MAX_IMAGES = 50;

/**
 * The images a hollow node has "pulled": those of every pod it admitted. As on a real node they stay
 * after the pod goes, and a new one changes the node's status, which the next status sync reports.
 */
export class NodeImages {
  private readonly byReference = new Map<string, ContainerImage>();
  private listed: ContainerImage[] = [];

  pull(pod: Pod): void {
    let added = false;
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      if (!c.image || this.byReference.has(c.image)) continue;
      this.byReference.set(c.image, containerImage(c.image));
      added = true;
    }
    if (added)
      this.listed = [...this.byReference.values()]
        .sort((a, b) => b.sizeBytes - a.sizeBytes)
        .slice(0, NODE_STATUS_MAX_IMAGES);
  }

  /** status.images as the kubelet writes it. */
  list(): ContainerImage[] {
    return this.listed;
  }
}
