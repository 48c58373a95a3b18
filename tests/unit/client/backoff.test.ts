import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../client/backoff';

const opts = { baseMs: 100, maxMs: 5000, jitter: 0.5 };

describe('backoffDelay', () => {
  it('doubles from the base while below the cap, without jitter at random=0', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, opts, () => 0))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('never exceeds the cap, also for huge attempt numbers', () => {
    expect(backoffDelay(7, opts, () => 0)).toBe(5000);
    expect(backoffDelay(10_000, opts, () => 0)).toBe(5000);
    expect(Number.isFinite(backoffDelay(Number.MAX_SAFE_INTEGER, opts, () => 0.3))).toBe(true);
  });

  it('jitter takes away at most the jitter fraction', () => {
    // random just below 1 gives the smallest delay: d * (1 - jitter)
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(200);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(300);
  });

  it('every delay lies in [d*(1-jitter), d] for any attempt, jitter and random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, jitter, r) => {
          const o = { baseMs: 250, maxMs: 30_000, jitter };
          const d = Math.min(o.maxMs, o.baseMs * 2 ** (attempt - 1));
          const got = backoffDelay(attempt, o, () => r);
          return got >= Math.floor(d * (1 - jitter)) && got <= d;
        },
      ),
    );
  });

  it('spreads clients apart: real random draws are not all equal', () => {
    const draws = new Set(Array.from({ length: 50 }, () => backoffDelay(4, DEFAULT_BACKOFF)));
    expect(draws.size).toBeGreaterThan(10);
    for (const d of draws) {
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('treats attempt 0 or negative as the first retry', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(100);
    expect(backoffDelay(-3, opts, () => 0)).toBe(100);
  });
});
