import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketBounds, LatencyHistogram } from './histogram.js';

/** The exact percentile as the histogram defines it: the smallest value with ≥ p % of values ≤ it. */
function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

const values = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 200 }),
    fc.integer({ min: 0, max: 100_000 }),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  ),
  { minLength: 1, maxLength: 2000 },
);
const percentile = fc.oneof(
  fc.constantFrom(50, 90, 99, 99.9, 100),
  fc.double({ min: 0.001, max: 100, noNaN: true }),
);

describe('LatencyHistogram', () => {
  it('percentiles are never below the exact value and within 1/64 above it (fast-check vs a sorted array)', () => {
    fc.assert(
      fc.property(values, percentile, (recorded, p) => {
        const histogram = new LatencyHistogram();
        for (const value of recorded) histogram.record(value);
        const exact = exactPercentile(
          [...recorded].sort((a, b) => a - b),
          p,
        );
        const reported = histogram.percentile(p);
        expect(reported).toBeGreaterThanOrEqual(exact);
        expect(reported - exact).toBeLessThanOrEqual(exact / 64);
        // Same bucket as the exact value.
        expect(bucketBounds(reported)).toEqual(bucketBounds(exact));
      }),
      { numRuns: 300 },
    );
  });

  it('count, min, max and mean are exact', () => {
    fc.assert(
      fc.property(values, (recorded) => {
        const histogram = new LatencyHistogram();
        for (const value of recorded) histogram.record(value);
        const summary = histogram.summary();
        expect(summary.count).toBe(recorded.length);
        expect(summary.min).toBe(Math.min(...recorded));
        expect(summary.max).toBe(Math.max(...recorded));
        expect(summary.mean).toBeCloseTo(recorded.reduce((a, b) => a + b, 0) / recorded.length, 3);
        expect(summary.p50).toBeLessThanOrEqual(summary.p90);
        expect(summary.p90).toBeLessThanOrEqual(summary.p99);
        expect(summary.p99).toBeLessThanOrEqual(summary.p999);
        expect(summary.p999).toBeLessThanOrEqual(summary.max);
      }),
      { numRuns: 200 },
    );
  });

  it('adding histograms equals recording everything in one', () => {
    fc.assert(
      fc.property(values, values, percentile, (a, b, p) => {
        const left = new LatencyHistogram();
        const right = new LatencyHistogram();
        const all = new LatencyHistogram();
        for (const value of a) {
          left.record(value);
          all.record(value);
        }
        for (const value of b) {
          right.record(value);
          all.record(value);
        }
        left.add(right);
        expect(left.summary()).toEqual(all.summary());
        expect(left.percentile(p)).toBe(all.percentile(p));
      }),
      { numRuns: 100 },
    );
  });

  it('is exact below 128 µs, clamps negatives to 0 and huge values to the top, resets', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(50)).toBe(0);
    expect(histogram.summary()).toMatchObject({ count: 0, min: 0, max: 0, mean: 0 });
    for (const value of [1, 2, 3, 127]) histogram.record(value);
    expect(histogram.percentile(25)).toBe(1);
    expect(histogram.percentile(100)).toBe(127);
    histogram.record(-5);
    histogram.record(1e12);
    expect(histogram.summary().min).toBe(0);
    expect(histogram.summary().max).toBe(2 ** 31 - 1);
    histogram.reset();
    expect(histogram.count).toBe(0);
  });

  it('buckets tile the range without gaps', () => {
    let expectedLow = 0;
    for (let value = 0; value < 1_000_000; value = bucketBounds(value).high + 1) {
      const { low, high } = bucketBounds(value);
      expect(low).toBe(expectedLow);
      expect(high - low + 1).toBeLessThanOrEqual(Math.max(1, Math.floor(low / 64)));
      expectedLow = high + 1;
    }
  });
});
