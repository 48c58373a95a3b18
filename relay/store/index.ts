// Picks the store: MongoDB when MONGODB_URI is set, the embedded SQLite file otherwise.
import type { Config } from '../config';
import type { Store } from './types';

export async function openStore(config: Config): Promise<Store> {
  if (config.MONGODB_URI) {
    const { openMongoStore } = await import('./mongo');
    return openMongoStore(config.MONGODB_URI);
  }
  const { openSqliteStore } = await import('./sqlite');
  return openSqliteStore(config.DATA_DIR);
}
