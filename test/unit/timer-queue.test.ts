import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock, type FakeTimerHandle } from "../../src/util/fake-clock.js";
import { createRandom } from "../../src/util/random.js";
import { TimerQueue, type TimerId } from "../../src/util/timer-queue.js";

/** Counts the queue's wake-up timers and keeps the last one for inspection. */
class CountingClock extends FakeClock {
  timersSet = 0;
  lastHandle: FakeTimerHandle | undefined;

  override setTimeout(fn: () => void, ms: number): FakeTimerHandle {
    this.timersSet++;
    this.lastHandle = super.setTimeout(fn, ms);
    return this.lastHandle;
  }
}

test("fires by due time, then by insertion order, at the due time", () => {
  const clock = new FakeClock();
  const queue = new TimerQueue({ clock });
  const fired: string[] = [];
  const record = (label: string) => () => fired.push(`${label}@${clock.now()}`);
  queue.schedule(30, record("c"));
  queue.schedule(10, record("a1"));
  queue.schedule(20, record("b"));
  queue.schedule(10, record("a2"));
  queue.after(40, record("d"));

  clock.advance(35);
  assert.deepEqual(fired, ["a1@10", "a2@10", "b@20", "c@30"]);
  assert.equal(queue.size, 1);
  clock.advance(5);
  assert.deepEqual(fired.at(-1), "d@40");
  assert.equal(queue.size, 0);
});

test("one clock timer serves all entries and is re-armed when an earlier entry arrives", () => {
  const clock = new CountingClock();
  const queue = new TimerQueue({ clock });
  const fired: number[] = [];
  for (let i = 0; i < 50; i++) queue.schedule(1_000 + i, () => fired.push(clock.now()));
  assert.equal(clock.pending(), 1);
  assert.equal(clock.timersSet, 1);

  queue.schedule(2_000, () => fired.push(clock.now()));
  assert.equal(clock.timersSet, 1, "a later entry does not re-arm");
  queue.schedule(100, () => fired.push(clock.now()));
  assert.equal(clock.timersSet, 2, "an earlier entry re-arms");
  assert.equal(clock.pending(), 1);

  clock.advance(100);
  assert.deepEqual(fired, [100]);
});

test("timers due in the same millisecond fire in one wake-up", () => {
  const clock = new CountingClock();
  const queue = new TimerQueue({ clock });
  let fired = 0;
  for (let i = 0; i < 1_000; i++) queue.schedule(500, () => fired++);

  clock.advance(500);

  assert.equal(fired, 1_000);
  assert.equal(clock.timersSet, 1);
  assert.equal(clock.pending(), 0, "nothing left to wake up for");
});

test("cancel removes an entry once, and disarms the clock when the queue empties", () => {
  const clock = new FakeClock();
  const queue = new TimerQueue({ clock });
  const fired: string[] = [];
  const a = queue.schedule(10, () => fired.push("a"));
  const b = queue.schedule(20, () => fired.push("b"));

  assert.equal(queue.cancel(a), true);
  assert.equal(queue.cancel(a), false);
  assert.equal(queue.size, 1);
  clock.advance(20);
  assert.deepEqual(fired, ["b"]);
  assert.equal(queue.cancel(b), false, "already fired");

  const c = queue.schedule(50, () => fired.push("c"));
  assert.equal(new TimerQueue({ clock }).cancel(c), false, "another queue's timer");
  assert.equal(queue.cancel(c), true);
  assert.equal(clock.pending(), 0);
});

test("clear drops every entry and the wake-up timer", () => {
  const clock = new FakeClock();
  const queue = new TimerQueue({ clock });
  let fired = 0;
  const id = queue.schedule(10, () => fired++);
  queue.schedule(20, () => fired++);

  queue.clear();
  clock.advance(100);

  assert.equal(fired, 0);
  assert.equal(queue.size, 0);
  assert.equal(clock.pending(), 0);
  assert.equal(queue.cancel(id), false);
});

test("a throwing callback is reported and later timers still fire", () => {
  const clock = new FakeClock();
  const errors: unknown[] = [];
  const queue = new TimerQueue({ clock, onError: (error) => errors.push(error) });
  const fired: number[] = [];
  queue.schedule(10, () => {
    throw new Error("boom");
  });
  queue.schedule(10, () => fired.push(10));
  queue.schedule(20, () => fired.push(20));

  clock.advance(20);

  assert.deepEqual(fired, [10, 20]);
  assert.equal(errors.length, 1);
  assert.match((errors[0] as Error).message, /boom/);
});

test("callbacks may schedule and cancel; entries due now wait for the next wake-up", () => {
  const clock = new FakeClock();
  const queue = new TimerQueue({ clock });
  const fired: string[] = [];
  queue.schedule(10, () => {
    fired.push(`first@${clock.now()}`);
    queue.schedule(clock.now(), () => fired.push(`same-ms@${clock.now()}`));
    queue.schedule(15, () => fired.push(`later@${clock.now()}`));
    queue.cancel(doomed);
  });
  const doomed = queue.schedule(10, () => fired.push("doomed"));

  clock.advance(10);
  assert.deepEqual(fired, ["first@10"]);
  clock.advance(10);
  assert.deepEqual(fired, ["first@10", "same-ms@11", "later@15"]);
});

test("the wake-up timer is unref'd unless keepAlive is set", () => {
  const clock = new CountingClock();
  new TimerQueue({ clock }).schedule(10, () => undefined);
  assert.equal(clock.lastHandle?.hasRef(), false);
  new TimerQueue({ clock, keepAlive: true }).schedule(10, () => undefined);
  assert.equal(clock.lastHandle?.hasRef(), true);
});

test("entries beyond Node's longest timer delay are reached in steps", () => {
  const clock = new FakeClock();
  const queue = new TimerQueue({ clock });
  let fired = 0;
  const farMs = 2 ** 32;
  queue.schedule(farMs, () => fired++);

  clock.advance(2 ** 31);
  assert.equal(fired, 0);
  assert.equal(clock.pending(), 1);
  clock.advance(farMs - 2 ** 31);
  assert.equal(fired, 1);
});

test("rejects a NaN due time", () => {
  assert.throws(() => new TimerQueue({ clock: new FakeClock() }).schedule(NaN, () => undefined), RangeError);
});

test("100k entries with random cancels fire in order, cheaply", (t) => {
  const clock = new FakeClock();
  const queue = new TimerQueue({ clock });
  const rand = createRandom(2024);
  const fired: { atMs: number; order: number }[] = [];
  const ids: TimerId[] = [];
  const started = performance.now();
  for (let order = 0; order < 100_000; order++) {
    const atMs = Math.floor(rand() * 60_000);
    ids.push(queue.schedule(atMs, () => fired.push({ atMs, order })));
  }
  let cancelled = 0;
  for (let i = 0; i < ids.length; i += 3) if (queue.cancel(ids[i])) cancelled++;
  assert.equal(queue.size, 100_000 - cancelled);
  clock.advance(60_000);
  const elapsedMs = performance.now() - started;
  t.diagnostic(`schedule 100k + cancel ${cancelled} + fire: ${elapsedMs.toFixed(1)} ms`);

  assert.equal(fired.length, 100_000 - cancelled);
  assert.ok(
    fired.every(({ order }) => order % 3 !== 0),
    "a cancelled entry fired",
  );
  for (let i = 1; i < fired.length; i++) {
    const [previous, current] = [fired[i - 1], fired[i]];
    const inOrder =
      previous.atMs < current.atMs || (previous.atMs === current.atMs && previous.order < current.order);
    assert.ok(inOrder, `out of order at ${i}: ${JSON.stringify(previous)} then ${JSON.stringify(current)}`);
  }
  assert.equal(queue.size, 0);
  assert.ok(elapsedMs < 2_000, `took ${elapsedMs} ms`);
});

test("with earlyMs, entries due within it fire with the one due, later ones wait for their own wake-up", () => {
  const clock = new FakeClock();
  const queue = new TimerQueue({ clock, earlyMs: 50 });
  const fired: string[] = [];
  const record = (label: string) => () => fired.push(`${label}@${clock.now()}`);
  queue.schedule(100, record("due"));
  queue.schedule(149, record("early"));
  queue.schedule(151, record("own"));

  clock.advance(100);
  assert.deepEqual(fired, ["due@100", "early@100"]);
  clock.advance(50);
  assert.deepEqual(fired, ["due@100", "early@100"], "the clock timer is armed for the due time, not before");
  clock.advance(1);
  assert.deepEqual(fired, ["due@100", "early@100", "own@151"]);
});
