// A real SQLite store in a fresh temporary DATA_DIR per test, closed and removed
// after it; for tests of the store itself, below the relay.
import Database from 'better-sqlite3';
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

/** How many rows the messages table holds, read past the store (the message log's rows arrive later). */
export function messageRowsInSqlite(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
