// Picks the store: MongoDB when MONGODB_URI is set, the embedded SQLite file otherwise.
import type { Config } from '../config';
import type { WalDurability } from './sqlite';
import type { Store } from './types';

/** `durability`: the embedded store's flush-failure handler and test seam (sqlite.ts). */
export async function openStore(config: Config, durability: WalDurability = {}): Promise<Store> {
  if (config.MONGODB_URI) {
    const { openMongoStore } = await import('./mongo');
    return openMongoStore(config.MONGODB_URI, undefined, { timeoutMs: config.MONGODB_TIMEOUT_MS });
  }
  const { openSqliteStore } = await import('./sqlite');
  const { lockDataDir } = await import('./data-dir-lock');
  // joined relays share the file; one on its own keeps it to itself (data-dir-lock.ts)
  const shared = config.REDIS_URL !== undefined;
  const lock = await lockDataDir(config.DATA_DIR, shared);
  try {
    // A relay with the DATA_DIR to itself makes appends durable in the message log
    // (sqlite-message-log.ts); joined relays append to the shared file's WAL.
    return await openSqliteStore(config.DATA_DIR, { shared, lock, messageLog: { enabled: !shared }, ...durability });
  } catch (e) {
    lock.release();
    throw e;
  }
}
