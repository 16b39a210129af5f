import type { ContainerImage, Pod } from "../../client/types.js";
import { containerImage, normalizeImage } from "../pods/image-ref.js";

/** The kubelet reports at most this many images in status.images (nodeStatusMaxImages), largest first. */
const NODE_STATUS_MAX_IMAGES = 50;

/**
 * The images a hollow node has "pulled": those of every pod it admitted. As on a real node they stay
 * after the pod goes, and a new one changes the node's status, which the next status sync reports.
 */
export class NodeImages {
  private readonly images: ContainerImage[] = [];
  /** Every name of every image held, as the runtime resolves a pod's image reference. */
  private readonly names = new Set<string>();
  private listed: ContainerImage[] = [];

  /**
   * The images the node's status already lists, from an earlier run of this node: a container runtime
   * keeps its images across kubelet restarts, so a restarted kubelet reports them unchanged.
   */
  adopt(images: readonly ContainerImage[]): void {
    for (const image of images) if (!image.names.some((name) => this.names.has(name))) this.add(image);
    this.relist();
  }

  pull(pod: Pod): void {
    const before = this.images.length;
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers])
      if (c.image && !this.names.has(normalizeImage(c.image))) this.add(containerImage(c.image));
    if (this.images.length > before) this.relist();
  }

  /** status.images as the kubelet writes it. */
  list(): ContainerImage[] {
    return this.listed;
  }

  private add(image: ContainerImage): void {
    this.images.push(image);
    for (const name of image.names) this.names.add(name);
  }

  private relist(): void {
    this.listed = [...this.images].sort((a, b) => b.sizeBytes - a.sizeBytes).slice(0, NODE_STATUS_MAX_IMAGES);
  }
}
