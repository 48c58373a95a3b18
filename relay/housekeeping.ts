// Background housekeeping: what the store no longer needs is removed now and then, so
// it does not grow for ever: expired tokens, invites closed over 30 days ago, and any
// messages whose chat is gone. Several relays may all run it; each removal is a plain
// delete that finds nothing the second time.
import type { Logger } from './log';
import type { Store } from './store/types';

export const CLOSED_INVITE_RETENTION_MS = 30 * 24 * 3600 * 1000;
const DEFAULT_EVERY_MS = 3600 * 1000;
/** The first round soon after start, not an hour later: a relay restarted often still cleans. */
const FIRST_AFTER_MS = 30 * 1000;

export interface Housekeeping {
  /** One round now; resolves when it is done. */
  runOnce(): Promise<void>;
  stop(): void;
}

export function startHousekeeping(store: Store, log: Logger, opts: { everyMs?: number; firstAfterMs?: number } = {}): Housekeeping {
  let running: Promise<void> | null = null;
  const runOnce = (): Promise<void> => {
    running ??= (async () => {
      try {
        const now = Date.now();
        const removed = await store.removeStale(new Date(now).toISOString(), new Date(now - CLOSED_INVITE_RETENTION_MS).toISOString());
        if (removed.tokens || removed.invites || removed.messages) log.info({ removed }, 'housekeeping');
      } catch (err) {
        log.error({ err }, 'housekeeping failed');
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const first = setTimeout(() => void runOnce(), opts.firstAfterMs ?? FIRST_AFTER_MS);
  const every = setInterval(() => void runOnce(), opts.everyMs ?? DEFAULT_EVERY_MS);
  first.unref();
  every.unref();
  return {
    runOnce,
    stop() {
      clearTimeout(first);
      clearInterval(every);
    },
  };
}
