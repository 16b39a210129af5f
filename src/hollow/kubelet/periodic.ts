import type { Clock } from "../../util/clock.js";
import { jitter, type Random } from "../../util/random.js";
import type { TimerId, TimerQueue } from "../../util/timer-queue.js";

/**
 * wait.JitterUntil on the shared timer queue: runs fn every period (+ up to jitterFactor of it), the next
 * run scheduled only once this one has finished, so a slow master never piles calls up.
 */
export class Periodic {
  private timer: TimerId | undefined;
  private stopped = true;
  /** A kick that came while a run was in flight: run again as soon as it ends. */
  private kicked = false;
  /** The run in flight, if any; stop() waits for it. */
  private inFlight: Promise<void> | undefined;
  /** When the scheduled run is due, to tell the run how late it started. */
  private dueAt = 0;

  constructor(
    private readonly timers: TimerQueue,
    private readonly clock: Clock,
    private readonly rand: Random,
    private readonly periodMs: number,
    private readonly jitterFactor: number,
    private readonly fn: (lateMs: number) => Promise<void>,
  ) {}

  /** First run after `delayMs` (default now). */
  start(delayMs = 0): void {
    this.stopped = false;
    this.schedule(delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.timers.cancel(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Runs now instead of at the next tick (e.g. a status change that should be reported at once). */
  kick(): void {
    if (this.stopped) return;
    if (!this.timer) {
      this.kicked = true;
      return;
    }
    this.timers.cancel(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.dueAt = this.clock.now() + delayMs;
    this.timer = this.timers.schedule(this.dueAt, this.run);
  }

  /*
   * The run and its ending are made once, and nothing of a run is held after it: what a run left behind
   * would live a whole period, long enough to be promoted to V8's old generation, and a thousand nodes'
   * loops would bring on a major collection every 20 s or so.
   */
  private readonly run = (): void => {
    this.timer = undefined;
    this.inFlight = this.fn(Math.max(0, this.clock.now() - this.dueAt))
      .catch(() => {})
      .finally(this.ran);
  };

  private readonly ran = (): void => {
    this.inFlight = undefined;
    if (this.stopped) return;
    const again = this.kicked;
    this.kicked = false;
    this.schedule(again ? 0 : jitter(this.periodMs, this.jitterFactor, this.rand));
  };
}
