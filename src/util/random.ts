/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

const TWO_POW_32 = 0x1_0000_0000;

/**
 * xoshiro128** seeded through splitmix32: reproducible, period 2^128, and well mixed even for the
 * consecutive seeds that per-node streams (seed + nodeIndex) produce.
 */
export function createRandom(seed: number): Random {
  // Fold the high bits in so seeds beyond 32 bits (e.g. Date.now()) still differ.
  let mixer = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32) >>> 0, 0x9e3779b9);
  const splitmix32 = (): number => {
    mixer = (mixer + 0x9e3779b9) | 0;
    let z = mixer;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix32();
  let s1 = splitmix32();
  let s2 = splitmix32();
  let s3 = splitmix32();
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result / TWO_POW_32;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** client-go wait.Jitter: a duration in [base, base * (1 + maxFactor)); maxFactor <= 0 means 1. */
export function jitter(baseMs: number, maxFactor: number, rand: Random): number {
  const factor = maxFactor > 0 ? maxFactor : 1;
  return baseMs + rand() * factor * baseMs;
}

export function uniform(min: number, max: number, rand: Random): number {
  return min + (max - min) * rand();
}

export function exponential(meanMs: number, rand: Random): number {
  // u < 1, so log1p(-u) stays finite.
  return -meanMs * Math.log1p(-rand());
}

/** Log-normal with the given median (e^mu) and shape sigma, via Box-Muller. */
export function lognormal(medianMs: number, sigma: number, rand: Random): number {
  return medianMs * Math.exp(sigma * standardNormal(rand));
}

function standardNormal(rand: Random): number {
  const u1 = 1 - rand();
  const u2 = rand();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
