import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { remembered } from "../../src/util/remembered.js";

describe("remembered", () => {
  it("computes a key once while it is remembered, and again after the results were emptied", () => {
    const computed: string[] = [];
    const upper = remembered((key: string) => {
      computed.push(key);
      return key.toUpperCase();
    }, 2);
    assert.equal(upper("a"), "A");
    assert.equal(upper("a"), "A");
    assert.equal(upper("b"), "B");
    assert.deepEqual(computed, ["a", "b"]);
    // Full at two keys: a third empties the results and is kept alone.
    assert.equal(upper("c"), "C");
    assert.equal(upper("c"), "C");
    assert.equal(upper("a"), "A");
    assert.deepEqual(computed, ["a", "b", "c", "a"]);
  });

  it("remembers nothing for a key whose computation throws", () => {
    let calls = 0;
    const parse = remembered((key: string) => {
      calls++;
      if (key === "bad") throw new Error("bad key");
      return key.length;
    }, 10);
    assert.throws(() => parse("bad"), /bad key/);
    assert.throws(() => parse("bad"), /bad key/);
    assert.equal(calls, 2);
  });
});
