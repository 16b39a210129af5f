/**
 * How a container runtime reports images: the fully qualified reference ("nginx" becomes
 * "docker.io/library/nginx:latest") and a digest-pinned image ID. Hollow nodes have no registry, so
 * the digest is derived from the reference: stable across restarts and the same on every node.
 */

import { createHash } from "node:crypto";
import type { ContainerImage } from "../../client/types.js";
import { remembered } from "../../util/remembered.js";

function splitDomain(reference: string): { domain: string; path: string } {
  const slash = reference.indexOf("/");
  const first = slash < 0 ? "" : reference.slice(0, slash);
  if (slash < 0 || !(first.includes(".") || first.includes(":") || first === "localhost")) {
    const path = slash < 0 ? `library/${reference}` : reference;
    return { domain: "docker.io", path };
  }
  return { domain: first, path: reference.slice(slash + 1) };
}

function splitRepository(reference: string): { repository: string; digest?: string; tag?: string } {
  const { domain, path } = splitDomain(reference);
  const [named, digest] = path.split("@");
  const colon = named!.lastIndexOf(":");
  const repository = `${domain}/${colon < 0 ? named : named!.slice(0, colon)}`;
  return { repository, digest, tag: colon < 0 ? undefined : named!.slice(colon + 1) };
}

/** Results are kept for this many references: a cluster runs few images, and each container start asks. */
const MAX_REMEMBERED_IMAGES = 1000;

export const normalizeImage = remembered((reference: string) => {
  const { repository, digest, tag } = splitRepository(reference);
  if (digest) return tag ? `${repository}:${tag}@${digest}` : `${repository}@${digest}`;
  return `${repository}:${tag ?? "latest"}`;
}, MAX_REMEMBERED_IMAGES);

export const imageID = remembered((reference: string) => {
  const { repository, digest } = splitRepository(reference);
  return `${repository}@${digest ?? `sha256:${sha256(normalizeImage(reference))}`}`;
}, MAX_REMEMBERED_IMAGES);

/** An image as a node reports it once pulled: by digest and by tag, with a stable made-up size. */
export function containerImage(reference: string): ContainerImage {
  const digest = sha256(normalizeImage(reference));
  // 10 to 500 MiB: image sizes matter to the scheduler's ImageLocality score.
  const sizeBytes = (10 + (parseInt(digest.slice(0, 6), 16) % 490)) * 2 ** 20;
  return { names: [imageID(reference), normalizeImage(reference)], sizeBytes };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
