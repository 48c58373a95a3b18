// The relay's background housekeeping over a real SQLite store: it runs by itself soon
// after start, removes what is stale (tokens past their expiry, invites closed over 30
// days ago) from the file, and leaves the rest. What exactly each store removes is in
// the store contract suite.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLOSED_INVITE_RETENTION_MS, startHousekeeping } from '../../relay/housekeeping';
import { createLogger } from '../../relay/log';
import { useTempSqlite } from '../helpers/temp-sqlite';

const sqlite = useTempSqlite('housekeeping-');
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

describe('background housekeeping', () => {
  it('removes expired tokens and long-closed invites from the store file on its own, and nothing else', async () => {
    const store = await sqlite.open();
    const user = await store.createUser({ id: randomUUID(), username: 'keeper', displayName: 'Keeper', createdAt: iso(0) }, 'h', 's');
    const other = await store.createUser({ id: randomUUID(), username: 'other', displayName: 'Other', createdAt: iso(0) }, 'h', 's');
    await store.createToken('expired', user!.id, iso(-1000));
    await store.createToken('live', user!.id, iso(3600_000));
    const invite = (status: 'pending' | 'rejected', expiresAt: string) => ({
      id: randomUUID(),
      fromId: user!.id,
      toId: other!.id,
      chatId: null,
      kind: 'direct' as const,
      targetKey: `pair:${randomUUID()}`,
      memberIds: [user!.id],
      status,
      createdAt: expiresAt,
      expiresAt,
    });
    const longClosed = invite('rejected', iso(-CLOSED_INVITE_RETENTION_MS - 60_000));
    const justClosed = invite('rejected', iso(-60_000));
    for (const i of [longClosed, justClosed]) await store.createInvite(i);

    const db = new Database(sqlite.file, { readonly: true });
    const rows = () => ({
      tokens: (db.prepare('SELECT hash FROM tokens ORDER BY hash').all() as { hash: string }[]).map((r) => r.hash),
      invites: (db.prepare('SELECT id FROM invites').all() as { id: string }[]).map((r) => r.id),
    });
    expect(rows().tokens).toEqual(['expired', 'live']);

    const hk = startHousekeeping(store, createLogger('silent'), { firstAfterMs: 50 });
    try {
      for (let i = 0; i < 100 && rows().tokens.length > 1; i++) await new Promise((r) => setTimeout(r, 50));
      expect(rows()).toEqual({ tokens: ['live'], invites: [justClosed.id] });
    } finally {
      hk.stop();
      db.close();
    }
  });
});
