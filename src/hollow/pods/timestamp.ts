/** Kubernetes API timestamps: RFC 3339 in UTC with whole seconds, as metav1.Time serializes. */

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Milliseconds since the epoch, or undefined for a missing or unreadable timestamp. */
export function parseTimestamp(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
