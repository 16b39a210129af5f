import { test } from "node:test";
import assert from "node:assert/strict";
import { TokenBucketRateLimiter } from "../../src/client/rate-limiter.js";
import { FakeClock } from "../../src/util/fake-clock.js";

/** Lets resolved promises run their continuations; no time passes. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Labels of the waits that have resolved, in resolution order. */
function track(waits: Promise<void>[]): string[] {
  const done: string[] = [];
  waits.forEach((wait, i) =>
    wait.then(
      () => done.push(`w${i}`),
      () => done.push(`w${i}:rejected`),
    ),
  );
  return done;
}

test("starts full with burst tokens and refills at qps, never beyond burst", () => {
  const clock = new FakeClock();
  const limiter = new TokenBucketRateLimiter(10, 3, clock);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => limiter.tryAccept()),
    [true, true, true, false],
  );

  clock.advance(99);
  assert.equal(limiter.tryAccept(), false);
  clock.advance(1);
  assert.equal(limiter.tryAccept(), true);
  assert.equal(limiter.tryAccept(), false);

  clock.advance(60_000);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => limiter.tryAccept()),
    [true, true, true, false],
  );
});

test("wait() resolves at once while tokens last, then one waiter per 1/qps in FIFO order", async () => {
  const clock = new FakeClock();
  const limiter = new TokenBucketRateLimiter(10, 2, clock);
  const done = track([limiter.wait(), limiter.wait(), limiter.wait(), limiter.wait(), limiter.wait()]);
  await settle();
  assert.deepEqual(done, ["w0", "w1"]);
  assert.equal(clock.pending(), 1, "one timer for all waiters");

  clock.advance(99);
  await settle();
  assert.deepEqual(done, ["w0", "w1"]);
  clock.advance(1);
  await settle();
  assert.deepEqual(done, ["w0", "w1", "w2"]);
  clock.advance(200);
  await settle();
  assert.deepEqual(done, ["w0", "w1", "w2", "w3", "w4"]);
  assert.equal(clock.pending(), 0);
});

test("tryAccept does not jump the queue of waiters", async () => {
  const clock = new FakeClock();
  const limiter = new TokenBucketRateLimiter(10, 1, clock);
  assert.equal(limiter.tryAccept(), true);
  const done = track([limiter.wait()]);

  clock.advance(100);
  assert.equal(limiter.tryAccept(), false, "the refilled token belongs to the waiter");
  await settle();
  assert.deepEqual(done, ["w0"]);
  clock.advance(100);
  assert.equal(limiter.tryAccept(), true);
});

test("a steady stream of waits is served at qps", async () => {
  const clock = new FakeClock();
  const limiter = new TokenBucketRateLimiter(50, 5, clock);
  const done = track(Array.from({ length: 105 }, () => limiter.wait()));
  clock.advance(1_000);
  await settle();
  assert.equal(done.length, 55, "burst of 5 plus 50 per second");
  clock.advance(1_000);
  await settle();
  assert.equal(done.length, 105);
  assert.deepEqual(
    done,
    Array.from({ length: 105 }, (_, i) => `w${i}`),
  );
});

test("qps <= 0 means unlimited", async () => {
  const clock = new FakeClock();
  for (const qps of [0, -1]) {
    const limiter = new TokenBucketRateLimiter(qps, 0, clock);
    for (let i = 0; i < 1_000; i++) assert.equal(limiter.tryAccept(), true);
    const done = track(Array.from({ length: 1_000 }, () => limiter.wait()));
    await settle();
    assert.equal(done.length, 1_000);
  }
  assert.equal(clock.pending(), 0);
});

test("a positive qps needs a burst of at least one", () => {
  assert.throws(() => new TokenBucketRateLimiter(5, 0, new FakeClock()), RangeError);
});

test("aborting the last waiter returns its token", async () => {
  const clock = new FakeClock();
  const limiter = new TokenBucketRateLimiter(10, 1, clock);
  assert.equal(limiter.tryAccept(), true);
  const controller = new AbortController();
  const done = track([limiter.wait(), limiter.wait(controller.signal)]);

  controller.abort(new Error("node deleted"));
  await settle();
  assert.deepEqual(done, ["w1:rejected"]);
  await assert.rejects(
    limiter.wait(controller.signal),
    /node deleted/,
    "an already aborted signal rejects at once",
  );

  clock.advance(100);
  await settle();
  assert.deepEqual(done, ["w1:rejected", "w0"]);
  clock.advance(100);
  assert.equal(limiter.tryAccept(), true, "the aborted reservation's token came back");
});

test("aborting the head waiter leaves later waiters their slots", async () => {
  const clock = new FakeClock();
  const limiter = new TokenBucketRateLimiter(10, 1, clock);
  assert.equal(limiter.tryAccept(), true);
  const controller = new AbortController();
  const done = track([limiter.wait(controller.signal), limiter.wait()]);

  controller.abort();
  clock.advance(100);
  await settle();
  assert.deepEqual(done, ["w0:rejected"]);
  clock.advance(100);
  await settle();
  assert.deepEqual(done, ["w0:rejected", "w1"]);
  assert.equal(clock.pending(), 0);
});
