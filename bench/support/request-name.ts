/** How a request is named in every bench's output: "PATCH nodes/status", "GET pods". */
export function requestName(verb: string, resource: string, subresource: string): string {
  return `${verb} ${resource}${subresource ? "/" + subresource : ""}`;
}
