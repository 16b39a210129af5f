import { test } from "node:test";
import assert from "node:assert/strict";
import { nearestRankPercentile, SampleSeries } from "../../src/measurements/percentile.js";

const ONE_TO_TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

test("nearest rank on 1..10: p50 = 5, p90 = 9, p99 = 10", () => {
  assert.equal(nearestRankPercentile(ONE_TO_TEN, 50), 5);
  assert.equal(nearestRankPercentile(ONE_TO_TEN, 90), 9);
  assert.equal(nearestRankPercentile(ONE_TO_TEN, 99), 10);
  assert.equal(nearestRankPercentile(ONE_TO_TEN, 100), 10);
});

test("nearest rank rounds the rank up, never interpolates", () => {
  assert.equal(nearestRankPercentile(ONE_TO_TEN, 11), 2);
  assert.equal(nearestRankPercentile([10, 20, 30], 50), 20);
  assert.equal(nearestRankPercentile([10, 20], 50), 10);
  const twoHundred = Array.from({ length: 200 }, (_, i) => i + 1);
  assert.equal(nearestRankPercentile(twoHundred, 99), 198);
});

test("p0 is the minimum; no values give NaN; p outside 0..100 throws", () => {
  assert.equal(nearestRankPercentile(ONE_TO_TEN, 0), 1);
  assert.ok(Number.isNaN(nearestRankPercentile([], 50)));
  assert.throws(() => nearestRankPercentile(ONE_TO_TEN, 101), RangeError);
  assert.throws(() => nearestRankPercentile(ONE_TO_TEN, -1), RangeError);
  assert.throws(() => nearestRankPercentile(ONE_TO_TEN, NaN), RangeError);
});

test("SampleSeries sorts numerically, whatever the order of arrival", () => {
  const series = new SampleSeries(2);
  for (const v of [10, 9, 100, 8, 7, 6, 5, 4, 3, 2]) series.add(v);
  assert.equal(series.count, 10);
  assert.deepEqual(series.percentiles([50, 90, 99]), [6, 10, 100]);
  assert.equal(series.max, 100);
});

test("SampleSeries keeps its samples after computing percentiles", () => {
  const series = new SampleSeries();
  for (const v of [3, 1, 2]) series.add(v);
  assert.deepEqual(series.percentiles([50]), [2]);
  series.add(0);
  series.add(-5);
  assert.deepEqual(series.percentiles([0, 50, 100]), [-5, 1, 3]);
  assert.equal(series.max, 3);
});

test("an empty SampleSeries has NaN percentiles and max", () => {
  const series = new SampleSeries();
  assert.equal(series.count, 0);
  assert.ok(Number.isNaN(series.max));
  assert.ok(series.percentiles([50, 99]).every(Number.isNaN));
});

test("SampleSeries refuses non-finite samples", () => {
  const series = new SampleSeries();
  assert.throws(() => series.add(NaN), RangeError);
  assert.throws(() => series.add(Infinity), RangeError);
  assert.equal(series.count, 0);
});

test("150,000 samples stay in about 2 MB and give exact nearest ranks", () => {
  const n = 150_000;
  const series = new SampleSeries();
  // A stride coprime with n visits every value 1..n once, out of order.
  for (let i = 0; i < n; i++) series.add(((i * 7_919) % n) + 1);
  assert.equal(series.count, n);
  assert.ok(series.capacityBytes >= n * 8);
  assert.ok(series.capacityBytes <= 2.5 * 1024 * 1024, `${series.capacityBytes} bytes`);
  assert.deepEqual(series.percentiles([50, 90, 99]), [75_000, 135_000, 148_500]);
  assert.equal(series.max, n);
});
