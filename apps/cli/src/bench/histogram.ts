/**
 * A latency histogram with fixed memory and bounded relative error, in the HdrHistogram style:
 * values (integer microseconds) below 128 get a bucket each; above, every power of two is split into 64
 * buckets, so a percentile is reported within 1/64 (1.6 %) of the exact value. 1,728 counters cover
 * 0 µs to 2^31 µs (about 36 minutes); larger values are clamped to the top. Recording is O(1) with no
 * allocation, which is what a load generator can afford per message.
 */

/** Values below this get their own bucket. */
const EXACT = 128;
/** Buckets per power of two above `EXACT`. */
const HALF = 64;
/** Largest value with its own range: 2^31 - 1 µs. */
const MAX_VALUE = 2 ** 31 - 1;
const BUCKETS = EXACT + 25 * HALF;

/** Bucket index of a non-negative integer `value` (≤ MAX_VALUE). */
function indexOf(value: number): number {
  if (value < EXACT) return value;
  const exponent = 31 - Math.clz32(value);
  const shift = exponent - 6;
  return EXACT + (shift - 1) * HALF + ((value >>> shift) - HALF);
}

/** The smallest and largest values that land in bucket `index`. */
function boundsOf(index: number): { low: number; high: number } {
  if (index < EXACT) return { low: index, high: index };
  const shift = Math.floor((index - EXACT) / HALF) + 1;
  const mantissa = ((index - EXACT) % HALF) + HALF;
  const low = mantissa * 2 ** shift;
  return { low, high: low + 2 ** shift - 1 };
}

/** Percentiles a summary reports. */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** A histogram of latencies in microseconds. */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  /** Number of recorded values. */
  get count(): number {
    return this.#count;
  }

  /** Records one value in microseconds (negative counts as 0, fractions are truncated). */
  record(micros: number): void {
    const value = micros <= 0 ? 0 : micros >= MAX_VALUE ? MAX_VALUE : Math.floor(micros);
    this.#counts[indexOf(value)]!++;
    this.#count++;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /** Adds every value of `other`. */
  add(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.#counts[i]! += other.#counts[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  /** Forgets every value. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#min = Number.POSITIVE_INFINITY;
    this.#max = 0;
  }

  /**
   * The value at percentile `p` (0 < p ≤ 100): the smallest recorded value v such that at least p % of
   * the values are ≤ v, reported as the highest value of v's bucket (never above the maximum recorded),
   * so the result is ≥ the exact percentile and within 1/64 of it. 0 when empty.
   */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(boundsOf(i).high, this.#max);
    }
    return this.#max;
  }

  /** Count, min, mean, p50/p90/p99/p99.9 and max, in microseconds. */
  summary(): LatencySummary {
    return {
      count: this.#count,
      min: this.#count === 0 ? 0 : this.#min,
      mean: this.#count === 0 ? 0 : this.#sum / this.#count,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.#max,
    };
  }
}

/** Exposed for tests: the bucket bounds of a value. */
export function bucketBounds(micros: number): { low: number; high: number } {
  return boundsOf(indexOf(Math.min(MAX_VALUE, Math.max(0, Math.floor(micros)))));
}
