import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Periodic } from "../../src/hollow/kubelet/periodic.js";
import { FakeClock } from "../../src/util/fake-clock.js";
import { TimerQueue } from "../../src/util/timer-queue.js";

const flush = () => new Promise((r) => setImmediate(r));

/** A 10 s loop on a fake clock whose every run waits until released; counts runs begun and finished. */
function gatedLoop(startMs: number) {
  const clock = new FakeClock(startMs);
  const state = { runs: [] as number[], finished: 0, release: () => {} };
  const loop = new Periodic(
    new TimerQueue({ clock }),
    clock,
    () => 0,
    10_000,
    0,
    async () => {
      state.runs.push(clock.now());
      await new Promise<void>((r) => (state.release = r));
      state.finished++;
    },
  );
  return { clock, loop, state };
}

describe("periodic loop on the shared timer queue", () => {
  it("runs every period, and a kick during a run makes the next run immediate", async () => {
    const { clock, loop, state } = gatedLoop(1_000_000);
    const { runs } = state;
    loop.start();
    clock.advance(1); // a zero delay is a 1 ms timer, as in Node
    assert.deepEqual(runs, [1_000_001]);
    loop.kick(); // while the first run is in flight
    state.release();
    await flush();
    clock.advance(1);
    assert.deepEqual(runs, [1_000_001, 1_000_002]);
    state.release();
    await flush();
    clock.advance(9_999);
    assert.equal(runs.length, 2);
    clock.advance(1);
    assert.equal(runs.length, 3);
    state.release();
    await loop.stop();
    clock.advance(20_000);
    assert.equal(runs.length, 3);
  });

  it("stop() returns only once the run in flight has finished", async () => {
    const { clock, loop, state } = gatedLoop(0);
    loop.start();
    clock.advance(1);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await flush();
    assert.equal(stopped, false, "stop() waits while the run is in flight");
    state.release();
    await stopping;
    assert.equal(state.finished, 1);
  });
});
