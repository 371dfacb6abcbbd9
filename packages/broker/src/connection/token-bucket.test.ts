import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets one second of tokens through at once, then asks to wait for the debt', () => {
    const bucket = new TokenBucket(10, 0);
    for (let i = 0; i < 10; i++) expect(bucket.take(1, 0)).toBe(0);
    // The 11th token is owed: 1 token at 10/s takes 100 ms to refill.
    expect(bucket.take(1, 0)).toBe(100);
  });

  it('refills with time, never beyond one second of burst', () => {
    const bucket = new TokenBucket(100, 0);
    expect(bucket.take(100, 0)).toBe(0);
    expect(bucket.take(50, 500)).toBe(0);
    expect(bucket.take(1, 500)).toBe(10);
    const idle = new TokenBucket(100, 0);
    // After a long idle time the bucket holds only the burst.
    expect(idle.take(100, 60_000)).toBe(0);
    expect(idle.take(100, 60_000)).toBe(1000);
  });

  it('counts bytes like any other token', () => {
    const bucket = new TokenBucket(1000, 0);
    expect(bucket.take(4000, 0)).toBe(3000);
  });
});
