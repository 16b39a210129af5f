import { test } from "node:test";
import assert from "node:assert/strict";
import { createRandom, exponential, jitter, lognormal, uniform } from "../../src/util/random.js";

const constant = (value: number) => () => value;

function draw(count: number, sampler: () => number): number[] {
  return Array.from({ length: count }, sampler);
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

test("the same seed gives the same sequence; different seeds differ", () => {
  assert.deepEqual(draw(20, createRandom(42)), draw(20, createRandom(42)));
  assert.notDeepEqual(draw(20, createRandom(42)), draw(20, createRandom(43)));
  assert.notDeepEqual(draw(5, createRandom(0)), draw(5, createRandom(2 ** 32)), "high seed bits count");
});

test("values lie in [0, 1) and spread evenly over ten bins", () => {
  const values = draw(200_000, createRandom(7));
  const bins = new Array<number>(10).fill(0);
  for (const v of values) {
    assert.ok(v >= 0 && v < 1, `out of range: ${v}`);
    bins[Math.floor(v * 10)]++;
  }
  for (const count of bins) assert.ok(Math.abs(count - 20_000) < 600, `uneven bins: ${bins.join(",")}`);
});

test("consecutive seeds give uncorrelated first draws", () => {
  const firsts = Array.from({ length: 10_000 }, (_, seed) => createRandom(seed)());
  assert.ok(Math.abs(mean(firsts) - 0.5) < 0.01, `mean ${mean(firsts)}`);
  assert.equal(new Set(firsts).size, firsts.length);
});

test("jitter follows wait.Jitter: base + rand * maxFactor * base, maxFactor <= 0 meaning 1", () => {
  assert.equal(jitter(1_000, 0.5, constant(0.5)), 1_250);
  assert.equal(jitter(1_000, 0.5, constant(0)), 1_000);
  assert.equal(jitter(1_000, 0, constant(0.5)), 1_500);
  assert.equal(jitter(1_000, -2, constant(0.5)), 1_500);
  const rand = createRandom(1);
  for (let i = 0; i < 1_000; i++) {
    const value = jitter(200, 0.1, rand);
    assert.ok(value >= 200 && value < 220, `${value}`);
  }
});

test("uniform stays in [min, max) with the midpoint as mean", () => {
  const rand = createRandom(3);
  const values = draw(100_000, () => uniform(10, 30, rand));
  assert.ok(values.every((v) => v >= 10 && v < 30));
  assert.ok(Math.abs(mean(values) - 20) < 0.1, `mean ${mean(values)}`);
});

test("exponential has the requested mean and is finite at the edges", () => {
  const rand = createRandom(5);
  const values = draw(200_000, () => exponential(250, rand));
  assert.ok(Math.abs(mean(values) - 250) < 250 * 0.02, `mean ${mean(values)}`);
  assert.equal(exponential(250, constant(0)), 0);
  assert.ok(Number.isFinite(exponential(250, constant(1 - 2 ** -32))));
});

test("lognormal has the requested median and log-spread", () => {
  const rand = createRandom(9);
  const values = draw(200_000, () => lognormal(1_000, 0.5, rand));
  assert.ok(Math.abs(median(values) - 1_000) < 1_000 * 0.02, `median ${median(values)}`);
  const logs = values.map(Math.log);
  const logMean = mean(logs);
  const logStd = Math.sqrt(mean(logs.map((l) => (l - logMean) ** 2)));
  assert.ok(Math.abs(logStd - 0.5) < 0.01, `sigma ${logStd}`);
  assert.ok(values.every((v) => v > 0 && Number.isFinite(v)));
});
