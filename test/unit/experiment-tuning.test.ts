import { test } from "node:test";
import assert from "node:assert/strict";
import { planStarts, runTuned, timerFromClock, type TuningTimer } from "../../src/experiments/tuning.js";
import type { TuningSet } from "../../src/experiments/schema.js";
import { FakeClock } from "../../src/util/fake-clock.js";
import { createRandom } from "../../src/util/random.js";

/** Time that moves only when slept; `lateMs` makes every sleep overshoot, as real timers do. */
function fakeTimer(lateMs = 0): TuningTimer & { sleeps: number[]; signals: (AbortSignal | undefined)[] } {
  let nowMs = 0;
  const sleeps: number[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  return {
    sleeps,
    signals,
    now: () => nowMs,
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      signals.push(signal);
      nowMs += ms + lateMs;
      // Like a real timer, let everything already queued (settling actions) run first.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const rand = createRandom(1);

function recordingActions(count: number, timer: TuningTimer, starts: number[]): (() => Promise<void>)[] {
  return Array.from({ length: count }, () => async () => {
    starts.push(timer.now());
  });
}

test("qps starts actions 1/qps apart, measured from the first start", async () => {
  const timer = fakeTimer();
  const starts: number[] = [];
  const started = await runTuned({ name: "q", type: "qps", qps: 5 }, recordingActions(6, timer, starts), {
    timer,
    rand,
  });
  assert.equal(started, 6);
  assert.deepEqual(starts, [0, 200, 400, 600, 800, 1000]);
});

test("late timers do not push later starts back", async () => {
  const timer = fakeTimer(7);
  const starts: number[] = [];
  await runTuned({ name: "q", type: "qps", qps: 5 }, recordingActions(4, timer, starts), { timer, rand });
  assert.deepEqual(starts, [0, 207, 407, 607]);
  assert.deepEqual(timer.sleeps, [200, 193, 193]);
});

test("parallelism keeps at most k actions in flight and runs them all", async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const order: number[] = [];
  const actions = Array.from({ length: 10 }, (_, i) => async () => {
    order.push(i);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Uneven durations, so workers finish out of order.
    for (let tick = 0; tick < (i % 3) + 1; tick++) await Promise.resolve();
    inFlight--;
  });
  const started = await runTuned({ name: "p", type: "parallelism", parallelism: 3 }, actions, {
    timer: fakeTimer(),
    rand,
  });
  assert.equal(started, 10);
  assert.equal(maxInFlight, 3);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("poisson gaps are exponential with mean 1/rate, from a seeded rand", () => {
  const tuning: TuningSet = { name: "p", type: "poisson", rate: 5 };
  const plan = planStarts(tuning, 5001, createRandom(42));
  assert.ok("offsetsMs" in plan);
  const offsets = plan.offsetsMs;
  assert.equal(offsets[0], 0);
  const gaps = offsets.slice(1).map((at, i) => at - offsets[i]!);
  const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
  assert.ok(Math.abs(mean - 200) < 10, `mean gap ${mean} ms`);
  const belowMean = gaps.filter((gap) => gap < 200).length / gaps.length;
  assert.ok(Math.abs(belowMean - (1 - Math.exp(-1))) < 0.02, `P(gap < mean) = ${belowMean}`);
  assert.deepEqual(planStarts(tuning, 5001, createRandom(42)), plan, "same seed, same plan");
});

test("poisson runs start at the planned offsets", async () => {
  const tuning: TuningSet = { name: "p", type: "poisson", rate: 2 };
  const timer = fakeTimer();
  const starts: number[] = [];
  await runTuned(tuning, recordingActions(20, timer, starts), { timer, rand: createRandom(7) });
  assert.deepEqual(starts, (planStarts(tuning, 20, createRandom(7)) as { offsetsMs: number[] }).offsetsMs);
});

test("an abort stops new starts, lets started actions finish, and passes the signal to sleep", async () => {
  const controller = new AbortController();
  const timer = fakeTimer();
  let finished = 0;
  const actions = Array.from({ length: 10 }, (_, i) => async () => {
    if (i === 2) controller.abort();
    await Promise.resolve();
    finished++;
  });
  const started = await runTuned({ name: "q", type: "qps", qps: 10 }, actions, {
    timer,
    rand,
    signal: controller.signal,
  });
  assert.equal(started, 3);
  assert.equal(finished, 3);
  assert.ok(timer.signals.every((s) => s === controller.signal));
});

test("an abort stops a parallelism run too", async () => {
  const controller = new AbortController();
  const actions = Array.from({ length: 10 }, (_, i) => async () => {
    if (i === 1) controller.abort();
  });
  const started = await runTuned({ name: "p", type: "parallelism", parallelism: 1 }, actions, {
    timer: fakeTimer(),
    rand,
    signal: controller.signal,
  });
  assert.equal(started, 2);
});

test("the first failure stops new starts and is rethrown once started actions settle", async () => {
  let finished = 0;
  const actions = Array.from({ length: 10 }, (_, i) => async () => {
    if (i === 1) throw new Error("create failed");
    finished++;
  });
  for (const tuning of [
    { name: "q", type: "qps", qps: 100 },
    { name: "p", type: "parallelism", parallelism: 1 },
  ] as const) {
    finished = 0;
    await assert.rejects(runTuned(tuning, actions, { timer: fakeTimer(), rand }), /create failed/);
    assert.equal(finished, 1, tuning.type);
  }
});

test("timerFromClock sleeps on the clock and wakes early on abort, clearing its timer", async () => {
  const clock = new FakeClock(1_000);
  const timer = timerFromClock(clock);
  let woke = false;
  const sleeping = timer.sleep(500).then(() => (woke = true));
  clock.advance(499);
  await Promise.resolve();
  assert.equal(woke, false);
  clock.advance(1);
  await sleeping;
  assert.equal(timer.now(), 1_500);

  const controller = new AbortController();
  const aborted = timer.sleep(10_000, controller.signal);
  assert.equal(clock.pending(), 1);
  controller.abort();
  await aborted;
  assert.equal(clock.pending(), 0);
  await timer.sleep(10_000, controller.signal);
});
