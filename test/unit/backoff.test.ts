import { test } from "node:test";
import assert from "node:assert/strict";
import { Backoff, REFLECTOR_BACKOFF } from "../../src/util/backoff.js";
import { FakeClock } from "../../src/util/fake-clock.js";
import { createRandom } from "../../src/util/random.js";

function steps(backoff: Backoff, count: number): number[] {
  return Array.from({ length: count }, () => backoff.next());
}

test("grows by factor from initial up to the cap", () => {
  const backoff = new Backoff({ initialMs: 800, factor: 2, capMs: 30_000, clock: new FakeClock() });
  assert.deepEqual(steps(backoff, 8), [800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000]);
});

test("jitter is applied after the cap, as client-go does", () => {
  const backoff = new Backoff({ ...REFLECTOR_BACKOFF, clock: new FakeClock(), rand: () => 0.5 });
  assert.deepEqual(steps(backoff, 8), [1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 45_000, 45_000]);
});

test("jittered delays stay within [delay, delay * (1 + jitter))", () => {
  const backoff = new Backoff({
    initialMs: 100,
    factor: 3,
    jitter: 0.2,
    clock: new FakeClock(),
    rand: createRandom(11),
  });
  const delays = steps(backoff, 6);
  delays.forEach((delay, i) => {
    const base = 100 * 3 ** i;
    assert.ok(delay >= base && delay < base * 1.2, `step ${i}: ${delay}`);
  });
  assert.ok(
    delays.some((delay, i) => delay !== 100 * 3 ** i),
    "no jitter was applied",
  );
});

test("reset() starts over from initial", () => {
  const backoff = new Backoff({ initialMs: 10, clock: new FakeClock() });
  steps(backoff, 4);
  backoff.reset();
  assert.deepEqual(steps(backoff, 2), [10, 20]);
});

test("starts over after a quiet period longer than resetAfterMs, measured from the last next()", () => {
  const clock = new FakeClock();
  const backoff = new Backoff({ initialMs: 800, capMs: 30_000, resetAfterMs: 120_000, clock });
  assert.deepEqual(steps(backoff, 3), [800, 1_600, 3_200]);
  clock.advance(120_000);
  assert.equal(backoff.next(), 6_400, "exactly the reset period is not quiet enough");
  clock.advance(120_001);
  assert.equal(backoff.next(), 800);
});

test("factor 0 keeps the delay constant; bad options are rejected", () => {
  const backoff = new Backoff({ initialMs: 250, factor: 0, clock: new FakeClock() });
  assert.deepEqual(steps(backoff, 3), [250, 250, 250]);
  assert.throws(() => new Backoff({ initialMs: -1 }), RangeError);
  assert.throws(() => new Backoff({ initialMs: 1, factor: -2 }), RangeError);
});
