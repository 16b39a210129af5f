import { realClock, type Clock, type TimerHandle } from "./clock.js";

/** Node turns longer delays into 1 ms, so far-off wake-ups are taken in steps of this size. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface TimerQueueOptions {
  clock?: Clock;
  /** Keep the process alive while timers are pending; by default the wake-up timer is unref'd. */
  keepAlive?: boolean;
  /** Receives what a callback threw; the queue keeps running. Defaults to console.error. */
  onError?: (error: unknown) => void;
  /**
   * Fire entries due up to this many ms from now along with those due. Where the event loop runs in
   * passes (batched wake-ups), a timer due between two passes would otherwise always fire late, by up to
   * the interval; taking those due within half of it one pass early centres the error on zero.
   */
  earlyMs?: number;
}

/** Opaque handle returned by schedule(); pass it to cancel(). */
export interface TimerId {
  readonly atMs: number;
}

class Entry implements TimerId {
  /** Position in the heap, or -1 once fired or cancelled. */
  index = -1;

  constructor(
    readonly atMs: number,
    readonly sequence: number,
    readonly fn: () => void,
  ) {}
}

function fireOrder(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.sequence < b.sequence);
}

/**
 * One scheduler for many timers: a binary min-heap by due time (ties by insertion order) behind a
 * single clock timer armed for the earliest entry. Thousands of simulated nodes share it instead of each
 * holding its own Node timers.
 */
export class TimerQueue {
  private readonly clock: Clock;
  private readonly keepAlive: boolean;
  private readonly onError: (error: unknown) => void;
  private readonly earlyMs: number;
  private heap: Entry[] = [];
  private nextSequence = 0;
  private wakeHandle: TimerHandle | undefined;
  private wakeAtMs = Infinity;
  private firing = false;

  constructor(options: TimerQueueOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.keepAlive = options.keepAlive ?? false;
    this.onError = options.onError ?? ((error) => console.error("timer-queue: callback failed:", error));
    this.earlyMs = options.earlyMs ?? 0;
  }

  get size(): number {
    return this.heap.length;
  }

  schedule(atMs: number, fn: () => void): TimerId {
    if (Number.isNaN(atMs)) throw new RangeError("TimerQueue.schedule: atMs is NaN");
    const entry = new Entry(atMs, this.nextSequence++, fn);
    entry.index = this.heap.length;
    this.heap.push(entry);
    this.siftUp(entry.index);
    if (entry.index === 0) this.arm();
    return entry;
  }

  after(delayMs: number, fn: () => void): TimerId {
    return this.schedule(this.clock.now() + delayMs, fn);
  }

  /** Returns false when the timer already fired, was cancelled, or belongs to another queue. */
  cancel(id: TimerId): boolean {
    const entry = id as Entry;
    if (this.heap[entry.index] !== entry) return false;
    this.removeAt(entry.index);
    if (this.heap.length === 0) this.disarm();
    return true;
  }

  clear(): void {
    for (const entry of this.heap) entry.index = -1;
    this.heap = [];
    this.disarm();
  }

  private readonly wake = (): void => {
    this.wakeHandle = undefined;
    this.wakeAtMs = Infinity;
    const horizonMs = this.clock.now() + this.earlyMs;
    // Entries scheduled by the callbacks below wait for the next wake-up, so a callback that re-schedules
    // itself at `now` cannot starve the event loop.
    const sequenceLimit = this.nextSequence;
    this.firing = true;
    try {
      while (this.heap.length > 0) {
        const head = this.heap[0];
        if (head.atMs > horizonMs || head.sequence >= sequenceLimit) break;
        this.removeAt(0);
        try {
          head.fn();
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.firing = false;
      this.arm();
    }
  };

  private arm(): void {
    if (this.firing) return;
    if (this.heap.length === 0) {
      this.disarm();
      return;
    }
    const nowMs = this.clock.now();
    const delayMs = Math.min(Math.max(0, this.heap[0].atMs - nowMs), MAX_TIMER_DELAY_MS);
    if (this.wakeHandle !== undefined && this.wakeAtMs <= nowMs + delayMs) return;
    this.disarm();
    this.wakeHandle = this.clock.setTimeout(this.wake, delayMs);
    this.wakeAtMs = nowMs + delayMs;
    if (!this.keepAlive) this.wakeHandle.unref?.();
  }

  private disarm(): void {
    if (this.wakeHandle === undefined) return;
    this.clock.clearTimeout(this.wakeHandle);
    this.wakeHandle = undefined;
    this.wakeAtMs = Infinity;
  }

  private removeAt(index: number): void {
    const removed = this.heap[index];
    removed.index = -1;
    const last = this.heap.pop()!;
    if (last === removed) return;
    this.heap[index] = last;
    last.index = index;
    if (index > 0 && fireOrder(last, this.heap[(index - 1) >> 1])) this.siftUp(index);
    else this.siftDown(index);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const entry = heap[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!fireOrder(entry, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const length = heap.length;
    const entry = heap[index];
    for (;;) {
      let childIndex = 2 * index + 1;
      if (childIndex >= length) break;
      const rightIndex = childIndex + 1;
      if (rightIndex < length && fireOrder(heap[rightIndex], heap[childIndex])) childIndex = rightIndex;
      const child = heap[childIndex];
      if (!fireOrder(child, entry)) break;
      heap[index] = child;
      child.index = index;
      index = childIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }
}
