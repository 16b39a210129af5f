import { test } from "node:test";
import assert from "node:assert/strict";
import { secondsUntil } from "../../bench/support/start-timeline.js";

const START_MS = 1_000;
/** Ten nodes that reached a milestone 1 s, 2 s, ... 10 s after the start, seen in no particular order. */
const TEN = [5, 1, 9, 3, 7, 2, 10, 4, 8, 6].map((s) => START_MS + s * 1000);

test("a share of the nodes is reached at the nearest rank of their times, in seconds from the start", () => {
  assert.equal(secondsUntil(TEN, 10, START_MS, 50), 5);
  assert.equal(secondsUntil(TEN, 10, START_MS, 90), 9);
  assert.equal(secondsUntil(TEN, 10, START_MS, 100), 10);
});

test("nodes that never reached the milestone count against the share: null once it needs them", () => {
  const sixOfTen = TEN.filter((t) => t <= START_MS + 6000);
  assert.equal(secondsUntil(sixOfTen, 10, START_MS, 50), 5);
  assert.equal(secondsUntil(sixOfTen, 10, START_MS, 90), null);
  assert.equal(secondsUntil([], 10, START_MS, 50), null);
});

test("seconds are rounded to a tenth", () => {
  assert.equal(secondsUntil([START_MS + 1234], 1, START_MS, 100), 1.2);
});
