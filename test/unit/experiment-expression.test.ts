import { test } from "node:test";
import assert from "node:assert/strict";
import {
  evaluate,
  ExpressionError,
  interpolate,
  interpolateString,
  type Scope,
} from "../../src/experiments/expression.js";

const scope: Scope = { NODES: 5000, podsPerNode: 30, group: "saturation" };

function failure(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ExpressionError, `not an ExpressionError: ${String(error)}`);
    return error;
  }
  assert.fail("no error thrown");
}

test("arithmetic follows the usual precedence, left to right", () => {
  assert.equal(evaluate("1 + 2 * 3", {}), 7);
  assert.equal(evaluate("(1 + 2) * 3", {}), 9);
  assert.equal(evaluate("10 - 4 - 3", {}), 3);
  assert.equal(evaluate("2 * 12 / 4 % 4", {}), 2);
  assert.equal(evaluate("10 / 4", {}), 2.5);
  assert.equal(evaluate("-2 * -(1 + 2)", {}), 6);
  assert.equal(evaluate(" .5 + 1.25 ", {}), 1.75);
});

test("parameters and the functions min, max, ceil, floor, round", () => {
  assert.equal(evaluate("ceil(NODES * podsPerNode / 3000)", scope), 50);
  assert.equal(evaluate("max(500, NODES)", scope), 5000);
  assert.equal(evaluate("min(3, 1, 2)", {}), 1);
  assert.equal(evaluate("floor(7 / 2) + round(2.5) + ceil(0.1)", {}), 7);
  assert.equal(evaluate("group", scope), "saturation");
});

test("a whole ${...} keeps its type; text around placeholders makes a string", () => {
  assert.equal(interpolateString("${NODES / 100}", scope), 50);
  assert.equal(interpolateString("${group}", scope), "saturation");
  assert.equal(interpolateString("latency-${podsPerNode + 1}", scope), "latency-31");
  assert.equal(interpolateString("${podsPerNode}${podsPerNode}", scope), "3030");
  assert.equal(interpolateString("${podsPerNode}m", scope), "30m");
  assert.equal(interpolateString("echo $${HOME} $PATH", scope), "echo ${HOME} $PATH");
  assert.equal(interpolateString("plain", scope), "plain");
});

test("interpolate walks objects and arrays and leaves other values alone", () => {
  const input = { a: ["${NODES}", 2, true, null], b: { c: "n-${podsPerNode}" } };
  assert.deepEqual(interpolate(input, scope), { a: [5000, 2, true, null], b: { c: "n-30" } });
});

test("an unknown parameter is named, with the ones known", () => {
  const error = failure(() => evaluate("podsPerNod * 2", scope));
  assert.equal(
    error.message,
    'unknown parameter "podsPerNod" (known: NODES, podsPerNode, group) in ${podsPerNod * 2}',
  );
  assert.equal(error.unknownParameter, "podsPerNod");
});

test("an unknown function is named, with the ones known", () => {
  assert.equal(
    failure(() => evaluate("sqrt(4)", {})).message,
    'unknown function "sqrt" (known: min, max, ceil, floor, round) in ${sqrt(4)}',
  );
});

test("nothing outside the scope is reachable: no prototype names, no calls on values", () => {
  assert.match(failure(() => evaluate("constructor", {})).message, /^unknown parameter "constructor"/);
  assert.match(failure(() => evaluate("__proto__", {})).message, /^unknown parameter "__proto__"/);
  assert.match(failure(() => evaluate("toString()", {})).message, /^unknown function "toString"/);
  assert.equal(failure(() => evaluate("a.b", { a: 1 })).message, 'unexpected "." at column 2 in ${a.b}');
});

test("syntax errors say what was found where", () => {
  const messages = ["1 +", "(1 + 2", "1 2", "2 $ 3", "", "ceil(1, 2)", "min()"].map(
    (source) => failure(() => evaluate(source, {})).message,
  );
  assert.deepEqual(messages, [
    'expected a number, name or "(" but found the end in ${1 +}',
    'expected ")" but found the end in ${(1 + 2}',
    'unexpected "2" at column 3 in ${1 2}',
    'unexpected "$" at column 3 in ${2 $ 3}',
    "empty expression in ${}",
    "ceil() takes 1 argument, got 2 in ${ceil(1, 2)}",
    "min() takes at least 1 argument, got 0 in ${min()}",
  ]);
});

test("arithmetic on strings, division by zero and unterminated placeholders are errors", () => {
  assert.equal(
    failure(() => evaluate("group * 2", scope)).message,
    '"*" needs numbers, got "saturation" in ${group * 2}',
  );
  assert.equal(
    failure(() => evaluate("-group", scope)).message,
    'unary "-" needs numbers, got "saturation" in ${-group}',
  );
  assert.equal(
    failure(() => evaluate("1 / (NODES - 5000)", scope)).message,
    "division by zero in ${1 / (NODES - 5000)}",
  );
  assert.equal(
    failure(() => interpolateString("a-${NODES", scope)).message,
    'unterminated "${" in "a-${NODES"',
  );
});

test("an error inside a structure carries the path to the failing string", () => {
  const error = failure(() => interpolate({ spec: { containers: [{ image: "${nope}" }] } }, scope));
  assert.equal(error.path, "spec.containers[0].image");
  assert.equal(error.unknownParameter, "nope");
});
