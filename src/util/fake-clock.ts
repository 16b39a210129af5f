import type { Clock, TimerHandle } from "./clock.js";

/** A timer of FakeClock; mirrors the ref/unref part of Node's Timeout so callers' unref() is observable. */
export class FakeTimerHandle implements TimerHandle {
  private referenced = true;

  constructor(
    readonly dueMs: number,
    readonly fn: () => void,
  ) {}

  unref(): void {
    this.referenced = false;
  }

  hasRef(): boolean {
    return this.referenced;
  }
}

/**
 * A Clock whose time moves only when advance() is called. Delays follow Node's rule (below 1 ms or NaN
 * becomes 1 ms) so a callback that re-arms itself with 0 ms cannot loop forever inside one advance().
 */
export class FakeClock implements Clock {
  private currentMs: number;
  /** Sorted by due time, then by creation order. */
  private timers: FakeTimerHandle[] = [];

  constructor(startMs = 0) {
    this.currentMs = startMs;
  }

  now(): number {
    return this.currentMs;
  }

  setTimeout(fn: () => void, ms: number): FakeTimerHandle {
    const delay = ms >= 1 ? ms : 1;
    const timer = new FakeTimerHandle(this.currentMs + delay, fn);
    this.timers.splice(this.insertionIndex(timer.dueMs), 0, timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const index = this.timers.indexOf(handle as FakeTimerHandle);
    if (index >= 0) this.timers.splice(index, 1);
  }

  /** Moves time forward by `ms`, firing every timer due by then (including ones set meanwhile) in due order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance: ms must be >= 0, got ${ms}`);
    const targetMs = this.currentMs + ms;
    while (this.timers.length > 0 && this.timers[0].dueMs <= targetMs) {
      const next = this.timers.shift()!;
      this.currentMs = next.dueMs;
      next.fn();
    }
    this.currentMs = targetMs;
  }

  /** Number of timers set and not yet fired or cleared. */
  pending(): number {
    return this.timers.length;
  }

  private insertionIndex(dueMs: number): number {
    let low = 0;
    let high = this.timers.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.timers[middle].dueMs <= dueMs) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
