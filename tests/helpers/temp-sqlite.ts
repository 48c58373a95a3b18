// A real SQLite store in a fresh temporary DATA_DIR per test, closed and removed
// after it; for tests of the store itself, below the relay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openSqliteStore, type WalDurability } from '../../relay/store/sqlite';
import type { ChatRecord, Store } from '../../relay/store/types';

export function useTempSqlite(prefix: string) {
  let dir = '';
  let store: Store | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    /** The DATA_DIR of the current test. */
    get dir(): string {
      return dir;
    },
    /** The database file in it, for a second connection of the test's own. */
    get file(): string {
      return join(dir, 'relay.sqlite');
    },
    async open(durability: WalDurability = {}): Promise<Store> {
      store = await openSqliteStore(dir, durability);
      return store;
    },
    async close(): Promise<void> {
      await store?.close();
      store = undefined;
    },
  };
}

/** User `u1` alone in group chat `c1`. */
export async function seedOneMemberChat(store: Store): Promise<ChatRecord> {
  const at = new Date().toISOString();
  await store.createUser({ id: 'u1', username: 'ann', displayName: 'Ann', createdAt: at }, 'h', 's');
  return store.createChat({ id: 'c1', kind: 'group', pairKey: null, createdAt: at }, ['u1']);
}
