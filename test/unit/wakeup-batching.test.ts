import { test } from "node:test";
import assert from "node:assert/strict";
import { batchWakeups } from "../../src/util/wakeup-batching.js";

const afterMs = (ms: number) =>
  new Promise<number>((resolve) => setTimeout(() => resolve(performance.now()), ms));

/**
 * Two timers due 1 ms and 100 ms after a pass: whether the second fired in the same pass as the first, that is
 * before an immediate the first queued, and when the first fired.
 */
function twoTimersAfterAPass(): Promise<{ samePass: boolean; firstDelayMs: number }> {
  return new Promise((resolve) =>
    setTimeout(() => {
      const passStart = performance.now();
      let firstDelayMs = 0;
      let firstPassOver = false;
      setTimeout(() => {
        firstDelayMs = performance.now() - passStart;
        setImmediate(() => (firstPassOver = true));
      }, 1);
      setTimeout(() => resolve({ samePass: !firstPassOver, firstDelayMs }), 100);
    }, 0),
  );
}

test("a busy process handles what falls due within one interval in one pass, at the interval's end", async () => {
  const stop = batchWakeups(300);
  try {
    const { samePass, firstDelayMs } = await twoTimersAfterAPass();
    assert.ok(samePass, "the timers due 1 ms and 100 ms after a pass fired in different passes");
    assert.ok(firstDelayMs >= 250, `a timer due 1 ms after a pass fired after ${firstDelayMs} ms`);
  } finally {
    stop();
  }
});

test("the first event after a quiet spell is handled at once, and stopping ends the batching", async () => {
  const stop = batchWakeups(500);
  try {
    // Nothing is due for longer than an interval past the first pass's sleep.
    const scheduled = performance.now();
    const fired = await afterMs(1_200);
    const lateMs = fired - scheduled - 1_200;
    assert.ok(lateMs < 250, `a timer due after a quiet spell fired ${lateMs} ms late`);
  } finally {
    stop();
  }
  const { samePass } = await twoTimersAfterAPass();
  assert.ok(!samePass, "after stop, timers 99 ms apart still fired in one pass");
});
