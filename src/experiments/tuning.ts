/** Pacing a phase's actions by its tuning set. Time and randomness are injected, so tests need no waiting. */
import type { Clock } from "../util/clock.js";
import { exponential, type Random } from "../util/random.js";
import type { TuningSet } from "./schema.js";

export interface TuningTimer {
  now(): number;
  /** Resolves after ms, or as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface TunedRunOptions {
  timer: TuningTimer;
  rand: Random;
  signal?: AbortSignal;
}

/** When actions start: at offsets (ms after the first start), or as soon as fewer than maxInFlight run. */
export type StartPlan = { offsetsMs: number[] } | { maxInFlight: number };

export function planStarts(tuningSet: TuningSet, count: number, rand: Random): StartPlan {
  switch (tuningSet.type) {
    case "qps":
      return { offsetsMs: Array.from({ length: count }, (_, i) => (i * 1000) / tuningSet.qps) };
    case "parallelism":
      return { maxInFlight: tuningSet.parallelism };
    case "poisson": {
      // The first action starts at once, so a phase never idles before its first call.
      const offsetsMs: number[] = [];
      for (let i = 0, at = 0; i < count; i++, at += exponential(1000 / tuningSet.rate, rand))
        offsetsMs.push(at);
      return { offsetsMs };
    }
  }
}

/**
 * Runs the actions paced by the tuning set and resolves with how many were started once those have
 * settled. An abort, or the first failure, stops further starts; a failure is then rethrown.
 */
export async function runTuned(
  tuningSet: TuningSet,
  actions: readonly (() => Promise<void>)[],
  options: TunedRunOptions,
): Promise<number> {
  const plan = planStarts(tuningSet, actions.length, options.rand);
  return "offsetsMs" in plan
    ? runAtOffsets(plan.offsetsMs, actions, options)
    : runLimited(plan.maxInFlight, actions, options);
}

interface RunState {
  failure?: { error: unknown };
}

async function settle(action: () => Promise<void>, state: RunState): Promise<void> {
  try {
    await action();
  } catch (error) {
    state.failure ??= { error };
  }
}

async function runAtOffsets(
  offsetsMs: number[],
  actions: readonly (() => Promise<void>)[],
  { timer, signal }: TunedRunOptions,
): Promise<number> {
  const state: RunState = {};
  const running: Promise<void>[] = [];
  // Sleeping until each offset from one origin, rather than for each gap, keeps timer lateness from adding up.
  const origin = timer.now();
  for (const [i, action] of actions.entries()) {
    const delay = origin + offsetsMs[i]! - timer.now();
    if (delay > 0) await timer.sleep(delay, signal);
    if (signal?.aborted || state.failure) break;
    running.push(settle(action, state));
  }
  await Promise.all(running);
  if (state.failure) throw state.failure.error;
  return running.length;
}

async function runLimited(
  maxInFlight: number,
  actions: readonly (() => Promise<void>)[],
  { signal }: TunedRunOptions,
): Promise<number> {
  const state: RunState = {};
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < actions.length && !signal?.aborted && !state.failure)
      await settle(actions[started++]!, state);
  };
  await Promise.all(Array.from({ length: Math.min(maxInFlight, actions.length) }, worker));
  if (state.failure) throw state.failure.error;
  return started;
}

/** A TuningTimer on the project's Clock (realClock in a run, FakeClock in tests). */
export function timerFromClock(clock: Clock): TuningTimer {
  return {
    now: () => clock.now(),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const onAbort = (): void => {
          clock.clearTimeout(handle);
          resolve();
        };
        const handle = clock.setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
  };
}
