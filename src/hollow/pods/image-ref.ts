/**
 * How a container runtime reports images: the fully qualified reference ("nginx" becomes
 * "docker.io/library/nginx:latest") and a digest-pinned image ID. Hollow nodes have no registry, so
 * the digest is derived from the reference: stable across restarts and the same on every node.
 */

import { createHash } from "node:crypto";

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

export function normalizeImage(reference: string): string {
  const { repository, digest, tag } = splitRepository(reference);
  if (digest) return tag ? `${repository}:${tag}@${digest}` : `${repository}@${digest}`;
  return `${repository}:${tag ?? "latest"}`;
}

export function imageID(reference: string): string {
  const { repository, digest } = splitRepository(reference);
  return `${repository}@${digest ?? `sha256:${sha256(normalizeImage(reference))}`}`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
