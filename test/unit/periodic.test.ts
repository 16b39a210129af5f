import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Periodic } from "../../src/hollow/kubelet/periodic.js";
import { FakeClock } from "../../src/util/fake-clock.js";
import { TimerQueue } from "../../src/util/timer-queue.js";

const flush = () => new Promise((r) => setImmediate(r));

describe("periodic loop on the shared timer queue", () => {
  it("runs every period, and a kick during a run makes the next run immediate", async () => {
    const clock = new FakeClock(1_000_000);
    const timers = new TimerQueue({ clock });
    const runs: number[] = [];
    let release: () => void = () => {};
    const loop = new Periodic(
      timers,
      clock,
      () => 0,
      10_000,
      0,
      async () => {
        runs.push(clock.now());
        await new Promise<void>((r) => (release = r));
      },
    );
    loop.start();
    clock.advance(1); // a zero delay is a 1 ms timer, as in Node
    assert.deepEqual(runs, [1_000_001]);
    loop.kick(); // while the first run is in flight
    release();
    await flush();
    clock.advance(1);
    assert.deepEqual(runs, [1_000_001, 1_000_002]);
    release();
    await flush();
    clock.advance(9_999);
    assert.equal(runs.length, 2);
    clock.advance(1);
    assert.equal(runs.length, 3);
    release();
    await loop.stop();
    clock.advance(20_000);
    assert.equal(runs.length, 3);
  });

  it("stop() returns only once the run in flight has finished", async () => {
    const clock = new FakeClock(0);
    const timers = new TimerQueue({ clock });
    let release: () => void = () => {};
    let finished = false;
    const loop = new Periodic(
      timers,
      clock,
      () => 0,
      10_000,
      0,
      async () => {
        await new Promise<void>((r) => (release = r));
        finished = true;
      },
    );
    loop.start();
    clock.advance(1);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await flush();
    assert.equal(stopped, false, "stop() waits while the run is in flight");
    release();
    await stopping;
    assert.equal(finished, true);
  });
});
