/** Kubernetes API timestamps: RFC 3339 in UTC with whole seconds, as metav1.Time serializes. */

/** The last second formatted: a pass over many pods stamps most of them with the same second. */
let lastSecond = NaN;
let lastText = "";

export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(".000Z", "Z");
    lastSecond = second;
  }
  return lastText;
}

/** Milliseconds since the epoch, or undefined for a missing or unreadable timestamp. */
export function parseTimestamp(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
