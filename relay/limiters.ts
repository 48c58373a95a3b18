// Rate limiters that count across every relay: with REDIS_URL the counts live in Redis,
// so a user (or an address) gets one budget however many relays they reach. Should
// Redis be away, each relay falls back to counting in its own memory (the insurance
// limiter) rather than refusing everyone or letting everything through.
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
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
 * A per-user budget on the socket hot path (chat:send and every other event): one
 * point for a key, a promise that rejects with a RateLimiterRes (msBeforeNext says
 * when to try again) when refused. rate-limiter-flexible counts it, in this process or
 * in Redis (limiterFactory).
 */
export interface Budget {
  take(key: string): Promise<unknown>;
}

class LimiterBudget implements Budget {
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
  const limiter = limiterFactory(redis);
  return Object.assign((spec: LimiterSpec): Budget => new LimiterBudget(limiter(spec)), {
    bursty: (a: LimiterSpec, b: LimiterSpec): Budget => new LimiterBudget(new BurstyRateLimiter(limiter(a), limiter(b))),
  });
}
