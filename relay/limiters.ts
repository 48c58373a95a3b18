// Rate limiters that count across every relay: with REDIS_URL the counts live in Redis,
// so a user (or an address) gets one budget however many relays they reach. Should
// Redis be away, each relay falls back to counting in its own memory (the insurance
// limiter) rather than refusing everyone or letting everything through.
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
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
