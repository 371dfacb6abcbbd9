import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_RECONNECT, resolveReconnect } from './reconnect.js';

describe('Backoff', () => {
  it('grows exponentially up to the cap without jitter', () => {
    const backoff = new Backoff(
      resolveReconnect({ initialDelayMs: 100, maxDelayMs: 1000, factor: 3, jitter: 'none' }),
    );
    expect([1, 2, 3, 4, 5].map(() => backoff.next())).toEqual([100, 300, 900, 1000, 1000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('spreads delays over [0, base) with full jitter and [base/2, base) with equal jitter', () => {
    const full = new Backoff(resolveReconnect({ initialDelayMs: 1000, jitter: 'full' }), () => 0.25);
    expect([full.next(), full.next()]).toEqual([250, 500]);
    const equal = new Backoff(resolveReconnect({ initialDelayMs: 1000, jitter: 'equal' }), () => 0);
    expect([equal.next(), equal.next()]).toEqual([500, 1000]);
  });

  it('counts attempts against maxAttempts', () => {
    const backoff = new Backoff(resolveReconnect({ maxAttempts: 2 }));
    backoff.next();
    expect(backoff.isExhausted).toBe(false);
    backoff.next();
    expect(backoff.isExhausted).toBe(true);
    expect(backoff.attempt).toBe(2);
  });

  it('has documented defaults and refuses bad values', () => {
    expect(resolveReconnect(undefined)).toEqual(DEFAULT_RECONNECT);
    expect(() => resolveReconnect({ initialDelayMs: -1 })).toThrow(RangeError);
    expect(() => resolveReconnect({ factor: 0.5 })).toThrow(RangeError);
    expect(() => resolveReconnect({ jitter: 'some' as 'full' })).toThrow(TypeError);
  });
});
