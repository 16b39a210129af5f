const SLASH = 0x2f;

/**
 * (resource, subresource) of an API path, as the API server's metrics label them: /api/v1/<resource>/...,
 * /apis/<group>/<version>/<resource>/..., either with namespaces/<ns>/ before the resource unless the
 * namespace is the object. Scanned in place: a hollow process labels every request it sends.
 */
export function resourceOf(path: string): { resource: string; subresource: string } {
  const query = path.indexOf("?");
  const end = query >= 0 ? query : path.length;
  let at = skipSegments(path, 0, end, path.startsWith("/apis/") ? 3 : 2);
  if (segmentIs(path, at, end, "namespaces")) {
    const afterNamespace = skipSegments(path, at, end, 2);
    if (afterNamespace < end) at = afterNamespace;
  }
  const resourceEnd = segmentEnd(path, at, end);
  const subresourceAt = skipSegments(path, at, end, 2);
  return {
    resource: path.slice(at, resourceEnd),
    subresource: path.slice(subresourceAt, segmentEnd(path, subresourceAt, end)),
  };
}

/** Where the segment starting at `at` ends (its slash, or `end`). */
function segmentEnd(path: string, at: number, end: number): number {
  const slash = path.indexOf("/", at);
  return slash < 0 || slash > end ? end : slash;
}

/** The start of the segment `count` segments after the one at `at` (a leading slash is skipped); `end` if none. */
function skipSegments(path: string, at: number, end: number, count: number): number {
  let pos = path.charCodeAt(at) === SLASH ? at + 1 : at;
  for (let i = 0; i < count && pos < end; i++) pos = Math.min(segmentEnd(path, pos, end) + 1, end);
  return pos;
}

function segmentIs(path: string, at: number, end: number, name: string): boolean {
  return segmentEnd(path, at, end) - at === name.length && path.startsWith(name, at);
}
