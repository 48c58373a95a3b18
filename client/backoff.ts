// Exponential backoff with jitter for reconnects and send retries. Jitter spreads
// the reconnects of many clients after a relay restart, so they do not all arrive
// in the same instant.

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Fraction (0..1) of the delay that is randomised: the delay lies in [d*(1-jitter), d]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, jitter: 0.5 };

/** Delay before retry number `attempt` (1-based). `random` returns a number in [0, 1). */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const jitter = Math.min(1, Math.max(0, opts.jitter));
  // Cap the exponent too, so a long outage never overflows to Infinity.
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(n - 1, 52));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(exp * (1 - jitter * r));
}
