import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eta } from "../../src/experiments/eta.js";

describe("progress ETA", () => {
  it("extrapolates the rate so far, and says nothing without one", () => {
    assert.equal(eta(250, 1000, 10_000), ", ETA 30 s");
    assert.equal(eta(1, 3, 1_000), ", ETA 2 s");
    assert.equal(eta(0, 1000, 10_000), "");
    assert.equal(eta(1000, 1000, 10_000), "");
  });
});
