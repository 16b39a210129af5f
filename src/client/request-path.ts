/** (resource, subresource) of an API path, as the API server's metrics label them. */
export function resourceOf(path: string): { resource: string; subresource: string } {
  const q = path.indexOf("?");
  const parts = (q >= 0 ? path.slice(0, q) : path).split("/").filter(Boolean);
  // /api/v1/... or /apis/<group>/<version>/...
  let i = parts[0] === "api" ? 2 : 3;
  if (parts[i] === "namespaces" && parts.length > i + 2) i += 2;
  return { resource: parts[i] ?? "", subresource: parts[i + 2] ?? "" };
}
