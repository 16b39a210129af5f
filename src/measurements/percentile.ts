/**
 * Nearest-rank percentile exactly as ClusterLoader2 takes it: `sorted[ceil(n * p / 100) - 1]`.
 * `sorted` must be in ascending order; p is in 0..100 (p = 0 gives the minimum). NaN when there are no values.
 */
export function nearestRankPercentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((sorted.length * p) / 100);
  return sorted[Math.max(rank, 1) - 1]!;
}

/** Numeric samples in a growable Float64Array: 150,000 pod latencies cost 1.2 MB, not 150,000 objects. */
export class SampleSeries {
  private values: Float64Array;
  private length = 0;
  private maximum = -Infinity;

  constructor(initialCapacity = 1024) {
    this.values = new Float64Array(Math.max(initialCapacity, 1));
  }

  add(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`sample ${value} is not a finite number`);
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
    if (value > this.maximum) this.maximum = value;
  }

  get count(): number {
    return this.length;
  }

  /** NaN when empty. */
  get max(): number {
    return this.length === 0 ? NaN : this.maximum;
  }

  /** Bytes held by the backing store, for callers that budget memory. */
  get capacityBytes(): number {
    return this.values.byteLength;
  }

  /** Nearest-rank percentiles, in the order asked; sorts one copy for all of them. */
  percentiles(ps: readonly number[]): number[] {
    const sorted = this.values.slice(0, this.length).sort();
    return ps.map((p) => nearestRankPercentile(sorted, p));
  }
}
