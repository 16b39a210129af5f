import { realClock, type Clock } from "./clock.js";
import { jitter, type Random } from "./random.js";

export interface BackoffOptions {
  initialMs: number;
  /** Growth per step; 0 keeps the delay constant, as in wait.Backoff. Default 2. */
  factor?: number;
  /** wait.Jitter maxFactor applied to each delay; 0 disables. Default 0. */
  jitter?: number;
  /** Upper bound on the un-jittered delay. Default: none. */
  capMs?: number;
  /** Start over from initialMs when next() was last called longer ago than this. Default: never. */
  resetAfterMs?: number;
  clock?: Clock;
  rand?: Random;
}

/** The reflector's ListAndWatch back-off: wait.NewExponentialBackoffManager(800ms, 30s, 2m, 2.0, 1.0). */
export const REFLECTOR_BACKOFF = {
  initialMs: 800,
  capMs: 30_000,
  resetAfterMs: 120_000,
  factor: 2,
  jitter: 1,
} as const satisfies BackoffOptions;

/**
 * client-go's wait.Backoff.Step() inside an exponentialBackoffManager: each next() returns the current
 * delay (jittered) and grows the next one by `factor` up to `capMs`. Like client-go, jitter is applied
 * after the cap, so a delay may exceed capMs by up to the jitter factor.
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly factor: number;
  private readonly jitterFactor: number;
  private readonly capMs: number;
  private readonly resetAfterMs: number;
  private readonly clock: Clock;
  private readonly rand: Random;
  private currentMs: number;
  private lastStepAtMs = -Infinity;

  constructor(options: BackoffOptions) {
    const {
      initialMs,
      factor = 2,
      jitter: jitterFactor = 0,
      capMs = Infinity,
      resetAfterMs = Infinity,
    } = options;
    if (!(initialMs >= 0)) throw new RangeError(`backoff: initialMs must be >= 0, got ${initialMs}`);
    if (!(factor >= 0)) throw new RangeError(`backoff: factor must be >= 0, got ${factor}`);
    this.initialMs = initialMs;
    this.factor = factor;
    this.jitterFactor = jitterFactor;
    this.capMs = capMs;
    this.resetAfterMs = resetAfterMs;
    this.clock = options.clock ?? realClock;
    this.rand = options.rand ?? Math.random;
    this.currentMs = this.initialMs;
  }

  next(): number {
    const nowMs = this.clock.now();
    if (nowMs - this.lastStepAtMs > this.resetAfterMs) this.currentMs = this.initialMs;
    this.lastStepAtMs = nowMs;
    const delayMs = this.currentMs;
    if (this.factor !== 0) this.currentMs = Math.min(this.currentMs * this.factor, this.capMs);
    return this.jitterFactor > 0 ? jitter(delayMs, this.jitterFactor, this.rand) : delayMs;
  }

  reset(): void {
    this.currentMs = this.initialMs;
  }
}
