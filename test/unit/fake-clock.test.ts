import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../src/util/fake-clock.js";

test("now() starts where told and moves only with advance()", () => {
  const clock = new FakeClock(1_000);
  assert.equal(clock.now(), 1_000);
  clock.advance(250);
  assert.equal(clock.now(), 1_250);
});

test("advance fires due timers in due order, ties in insertion order, with now() at each due time", () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  const record = (label: string) => () => fired.push(`${label}@${clock.now()}`);
  clock.setTimeout(record("c"), 30);
  clock.setTimeout(record("a1"), 10);
  clock.setTimeout(record("b"), 20);
  clock.setTimeout(record("a2"), 10);
  clock.setTimeout(record("late"), 31);

  clock.advance(30);

  assert.deepEqual(fired, ["a1@10", "a2@10", "b@20", "c@30"]);
  assert.equal(clock.now(), 30);
  assert.equal(clock.pending(), 1);
});

test("timers set during advance fire when they fall inside the window", () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  clock.setTimeout(() => {
    fired.push(clock.now());
    clock.setTimeout(() => fired.push(clock.now()), 5);
    clock.setTimeout(() => fired.push(clock.now()), 50);
  }, 10);

  clock.advance(20);

  assert.deepEqual(fired, [10, 15]);
  assert.equal(clock.pending(), 1);
  clock.advance(40);
  assert.deepEqual(fired, [10, 15, 60]);
  assert.equal(clock.pending(), 0);
});

test("clearTimeout removes a timer; clearing a fired or foreign handle is harmless", () => {
  const clock = new FakeClock();
  let fired = 0;
  const kept = clock.setTimeout(() => fired++, 5);
  const cleared = clock.setTimeout(() => (fired += 100), 5);
  clock.clearTimeout(cleared);
  assert.equal(clock.pending(), 1);

  clock.advance(5);
  clock.clearTimeout(kept);
  clock.clearTimeout(new FakeClock().setTimeout(() => undefined, 1));

  assert.equal(fired, 1);
  assert.equal(clock.pending(), 0);
});

test("a delay below 1 ms becomes 1 ms, as in Node, so a 0 ms re-arming loop is bounded", () => {
  const clock = new FakeClock();
  let runs = 0;
  const rearm = () => {
    runs++;
    clock.setTimeout(rearm, 0);
  };
  clock.setTimeout(rearm, 0);

  clock.advance(0);
  assert.equal(runs, 0);
  clock.advance(10);
  assert.equal(runs, 10);
});

test("unref() is observable through hasRef()", () => {
  const clock = new FakeClock();
  const handle = clock.setTimeout(() => undefined, 1);
  assert.equal(handle.hasRef(), true);
  handle.unref();
  assert.equal(handle.hasRef(), false);
});

test("advance rejects a negative step", () => {
  assert.throws(() => new FakeClock().advance(-1), RangeError);
});
