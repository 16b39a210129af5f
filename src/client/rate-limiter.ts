import { realClock, type Clock, type TimerHandle } from "../util/clock.js";

interface Waiter {
  readyAtMs: number;
  resolve: () => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * client-go's flowcontrol.NewTokenBucketRateLimiter(qps, burst), i.e. golang.org/x/time/rate: the bucket
 * starts full with `burst` tokens and refills at `qps`. wait() reserves the next token at once, letting
 * the balance go negative, and resolves when that token has accrued, so waiters are served FIFO.
 * qps <= 0 means unlimited.
 */
export class TokenBucketRateLimiter {
  private tokens: number;
  private lastMs: number;
  /** Ordered by reservation, hence by readyAtMs. */
  private readonly waiters: Waiter[] = [];
  private timer: TimerHandle | undefined;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock,
  ) {
    if (qps > 0 && !(burst >= 1)) {
      throw new RangeError(`rate limiter: burst must be >= 1 when qps > 0, got ${burst}`);
    }
    this.tokens = burst;
    this.lastMs = clock.now();
  }

  /** Takes a token if one is available now, without waiting (client-go TryAccept). */
  tryAccept(): boolean {
    if (this.qps <= 0) return true;
    const nowMs = this.clock.now();
    const tokens = this.tokensAt(nowMs);
    if (tokens < 1) return false;
    this.tokens = tokens - 1;
    this.lastMs = nowMs;
    return true;
  }

  /** Resolves when a token is available; rejects with the signal's reason if aborted first. */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.qps <= 0) return Promise.resolve();
    const nowMs = this.clock.now();
    this.tokens = this.tokensAt(nowMs) - 1;
    this.lastMs = nowMs;
    if (this.tokens >= 0) return Promise.resolve();
    const readyAtMs = nowMs + (-this.tokens * 1000) / this.qps;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        readyAtMs,
        resolve,
        signal,
        onAbort: () => {
          this.abandon(waiter);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      if (this.waiters.length === 1) this.armFor(waiter);
    });
  }

  private tokensAt(nowMs: number): number {
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    return Math.min(this.burst, this.tokens + (elapsedMs * this.qps) / 1000);
  }

  private readonly releaseReady = (): void => {
    this.timer = undefined;
    const nowMs = this.clock.now();
    while (this.waiters.length > 0 && this.waiters[0].readyAtMs <= nowMs) {
      const waiter = this.waiters.shift()!;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve();
    }
    if (this.waiters.length > 0) this.armFor(this.waiters[0]);
  };

  private armFor(head: Waiter): void {
    this.timer = this.clock.setTimeout(this.releaseReady, head.readyAtMs - this.clock.now());
  }

  /**
   * Like x/time/rate's Reservation.Cancel: the token goes back to the bucket only if no later waiter
   * has reserved after it; otherwise those waiters keep their slots.
   */
  private abandon(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    if (index === this.waiters.length) {
      const nowMs = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokensAt(nowMs) + 1);
      this.lastMs = nowMs;
    }
    if (index === 0) {
      this.clock.clearTimeout(this.timer!);
      this.timer = undefined;
      if (this.waiters.length > 0) this.armFor(this.waiters[0]);
    }
  }
}
