// Rate limiters that count across every relay: with REDIS_URL the counts live in Redis,
// so a user (or an address) gets one budget however many relays they reach. Should
// Redis be away, each relay falls back to counting in its own memory (the insurance
// limiter) rather than refusing everyone or letting everything through.
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisLink } from './redis-link';

export interface LimiterSpec {
  keyPrefix: string;
  points: number;
  /** Seconds. */
  duration: number;
}

export type Limiter = RateLimiterAbstract;

export type LimiterFactory = (spec: LimiterSpec) => Limiter;

export function limiterFactory(redis: RedisLink | null): LimiterFactory {
  if (!redis) return (spec) => new RateLimiterMemory(spec);
  return (spec) =>
    new RateLimiterRedis({
      ...spec,
      keyPrefix: `relaychat:limit:${spec.keyPrefix}`,
      storeClient: redis,
      useRedisPackage: true,
      // While the link is down the client would queue the call until Redis is back:
      // count in memory at once instead.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(spec),
    });
}

/**
 * A per-user budget on the socket hot path (chat:send and every other event). With
 * Redis the count is a round trip, so `take` returns a promise; alone, the count is in
 * this process and `take` answers at once, so a send pays no promise, timer or
 * RateLimiterRes for its budget. Either way a refusal is a RateLimiterRes (thrown, or
 * the promise rejects with it) whose msBeforeNext says when to try again.
 */
export interface Budget {
  /** One point for `key`: undefined when granted at once, else a promise of the answer. */
  take(key: string): Promise<unknown> | undefined;
}

/**
 * RateLimiterMemory's fixed windows, counted synchronously: the first point for a key
 * opens a window of `duration` seconds, every point in it (refused ones too) adds to
 * the count, and a point that takes the count past `points` is refused with the time
 * left in the window. Same answers as RateLimiterMemory (blockDuration 0, execEvenly
 * off), which keeps one timer per key instead; expired windows here are dropped by a
 * sweep at most once per window length.
 */
export class MemoryWindows {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private readonly durationMs: number;
  private nextSweep = 0;

  constructor(
    private readonly points: number,
    duration: number,
  ) {
    this.durationMs = duration * 1000;
  }

  /** The count after this point and the ms left in its window (-1: a window that never ends). */
  private count(key: string, now: number): { count: number; msLeft: number } {
    if (this.durationMs > 0 && now >= this.nextSweep) this.sweep(now);
    const w = this.windows.get(key);
    if (w && (this.durationMs === 0 || w.endsAt > now)) {
      w.count += 1;
      return { count: w.count, msLeft: this.durationMs === 0 ? -1 : w.endsAt - now };
    }
    this.windows.set(key, { count: 1, endsAt: now + this.durationMs });
    return { count: 1, msLeft: this.durationMs === 0 ? -1 : this.durationMs };
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (w.endsAt <= now) this.windows.delete(key);
    this.nextSweep = now + this.durationMs;
  }

  /** Takes a point: null when granted, else the ms before the window ends. */
  tryTake(key: string, now: number): number | null {
    const { count, msLeft } = this.count(key, now);
    return count > this.points ? msLeft : null;
  }
}

/** A limiter counted in this process: refusals thrown at once. */
class MemoryBudget implements Budget {
  private readonly windows: MemoryWindows;

  constructor(spec: LimiterSpec) {
    this.windows = new MemoryWindows(spec.points, spec.duration);
  }

  take(key: string): undefined {
    const msLeft = this.windows.tryTake(key, Date.now());
    if (msLeft !== null) throw new RateLimiterRes(0, msLeft, 0, false);
    return undefined;
  }
}

/**
 * BurstyRateLimiter over two MemoryWindows: a point refused by the steady window is
 * taken from the burst window instead; refused by both, the wait is the shorter of the
 * two windows' remaining times (as BurstyRateLimiter combines them).
 */
class BurstyMemoryBudget implements Budget {
  private readonly steady: MemoryWindows;
  private readonly burst: MemoryWindows;

  constructor(steady: LimiterSpec, burst: LimiterSpec) {
    this.steady = new MemoryWindows(steady.points, steady.duration);
    this.burst = new MemoryWindows(burst.points, burst.duration);
  }

  take(key: string): undefined {
    const now = Date.now();
    const steadyMs = this.steady.tryTake(key, now);
    if (steadyMs === null) return undefined;
    const burstMs = this.burst.tryTake(key, now);
    if (burstMs === null) return undefined;
    throw new RateLimiterRes(0, Math.min(steadyMs, burstMs), 0, false);
  }
}

/** A limiter whose count is elsewhere (Redis): every point is a promise. */
class AsyncBudget implements Budget {
  constructor(private readonly limiter: { consume(key: string): Promise<unknown> }) {}

  take(key: string): Promise<unknown> {
    return this.limiter.consume(key);
  }
}

export interface BudgetFactory {
  (spec: LimiterSpec): Budget;
  /** `steady` first, then `burst` for what it refuses (BurstyRateLimiter's rule). */
  bursty(steady: LimiterSpec, burst: LimiterSpec): Budget;
}

/** Budgets for the socket layer: in Redis when relays are joined, else in this process. */
export function budgetFactory(redis: RedisLink | null): BudgetFactory {
  if (!redis) return Object.assign((spec: LimiterSpec): Budget => new MemoryBudget(spec), { bursty: (a: LimiterSpec, b: LimiterSpec): Budget => new BurstyMemoryBudget(a, b) });
  const limiter = limiterFactory(redis);
  return Object.assign((spec: LimiterSpec): Budget => new AsyncBudget(limiter(spec)), {
    bursty: (a: LimiterSpec, b: LimiterSpec): Budget => new AsyncBudget(new BurstyRateLimiter(limiter(a), limiter(b))),
  });
}
