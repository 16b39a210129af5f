/**
 * Kubernetes resource quantities ("100m", "1.5", "128Mi", "1G", "1e3") as exact numbers.
 *
 * Values are kept as a fraction of big integers while scaling so that "0.1" cpu is exactly 100
 * millicores; the results are rounded up like resource.Quantity's Value() and MilliValue().
 */

import { remembered } from "../../util/remembered.js";

const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

function parse(quantity: string): Fraction {
  const match = QUANTITY.exec(quantity.trim());
  if (!match) throw new Error(`invalid quantity ${JSON.stringify(quantity)}`);
  const [, sign, number, suffix = "", exponent] = match;
  const [whole, fraction = ""] = number!.split(".");
  let numerator = BigInt((whole || "0") + fraction) * (sign === "-" ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);

  const binary = BINARY_SUFFIXES[suffix];
  const power10 = exponent !== undefined ? Number(exponent) : (DECIMAL_SUFFIXES[suffix] ?? 0);
  if (binary !== undefined) numerator *= 2n ** BigInt(binary);
  else if (power10 >= 0) numerator *= 10n ** BigInt(power10);
  else denominator *= 10n ** BigInt(-power10);
  return { numerator, denominator };
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  // BigInt division truncates toward zero, which is already the ceiling for negative results.
  return numerator > 0n ? (numerator + denominator - 1n) / denominator : numerator / denominator;
}

/** The quantity in thousandths, rounded up: how cpu is counted ("100m" -> 100, "1.5" -> 1500). */
export function milliValue(quantity: string): number {
  const { numerator, denominator } = parse(quantity);
  return Number(ceilDiv(numerator * 1000n, denominator));
}

/** The quantity in whole units, rounded up: bytes for memory and storage, counts for the rest. */
export function value(quantity: string): number {
  const { numerator, denominator } = parse(quantity);
  return Number(ceilDiv(numerator, denominator));
}

/**
 * The amounts of the quantities seen lately. A cluster's pods ask for the same few ("100m", "128Mi"), and
 * a node reads them at each admission and each status it writes; parsing one takes a regular expression
 * and big-integer arithmetic.
 */
const RECENT_AMOUNTS_MAX = 1024;
const recentMilliValue = remembered(milliValue, RECENT_AMOUNTS_MAX);
const recentValue = remembered(value, RECENT_AMOUNTS_MAX);

/** The amount the scheduler and the kubelet compare for a resource: millicores for cpu, units otherwise. */
export function resourceAmount(resource: string, quantity: string): number {
  return resource === "cpu" ? recentMilliValue(quantity) : recentValue(quantity);
}
