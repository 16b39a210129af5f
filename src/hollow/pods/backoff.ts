/**
 * The kubelet's crash-loop back-off (flowcontrol.Backoff keyed per container): the first restart
 * is immediate, later ones wait 10 s doubling up to 5 min, and a container that ran for more than
 * twice the cap since its last restart starts over from no back-off.
 */

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

export interface BackOffEntry {
  delayMs: number;
  /** When the container was last restarted (ms). */
  lastRestart: number;
}

function expired(entry: BackOffEntry, finishedAt: number): boolean {
  return finishedAt - entry.lastRestart > 2 * MAX_BACKOFF_MS;
}

/** How long a container that exited at `finishedAt` waits before it is restarted. */
export function restartWaitMs(entry: BackOffEntry | undefined, finishedAt: number): number {
  return entry === undefined || expired(entry, finishedAt) ? 0 : entry.delayMs;
}

/** The back-off after restarting, at `now`, a container whose previous run finished at `finishedAt`. */
export function backOffAfterRestart(
  entry: BackOffEntry | undefined,
  finishedAt: number,
  now: number,
): BackOffEntry {
  if (entry === undefined || expired(entry, finishedAt))
    return { delayMs: INITIAL_BACKOFF_MS, lastRestart: now };
  return { delayMs: Math.min(entry.delayMs * 2, MAX_BACKOFF_MS), lastRestart: now };
}
