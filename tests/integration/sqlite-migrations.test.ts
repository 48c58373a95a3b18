// An existing DATA_DIR is upgraded in place: a database left at an older schema
// version by an earlier relay opens with every message, chat and seq it had, and
// appends continue from where it stopped.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../relay/store/sqlite-schema';
import { useTempSqlite } from '../helpers/temp-sqlite';

const temp = useTempSqlite('relay-migrate-');

/** A database as a relay at schema `version` left it, with one chat of `n` messages. */
function oldDatabase(version: number, n: number): { chatId: string; userId: string } {
  const db = new Database(temp.file);
  db.pragma('journal_mode = WAL');
  for (let v = 0; v < version; v++) db.exec(MIGRATIONS[v]!);
  db.pragma(`user_version = ${version}`);
  const at = '2026-01-01T00:00:00.000Z';
  db.prepare("INSERT INTO users (id, username, display_name, password_hash, salt, created_at) VALUES ('u1', 'ann', 'Ann', 'h', 's', ?)").run(at);
  db.prepare("INSERT INTO chats (id, kind, pair_key, created_at, last_seq) VALUES ('c1', 'group', NULL, ?, ?)").run(at, n);
  db.prepare("INSERT INTO members (chat_id, user_id, joined) VALUES ('c1', 'u1', 1)").run();
  const insert = db.prepare("INSERT INTO messages (id, chat_id, seq, sender_id, body, client_msg_id, created_at) VALUES (?, 'c1', ?, 'u1', ?, ?, ?)");
  for (let seq = 1; seq <= n; seq++) insert.run(`m${seq}`, seq, `old ${seq}`, `cm${seq}`, at);
  db.close();
  return { chatId: 'c1', userId: 'u1' };
}

describe('SQLite schema migrations', () => {
  it('from version 2: messages kept in order, appends go on from the last seq, resends still found by clientMsgId', async () => {
    const { chatId, userId } = oldDatabase(2, 120);
    const store = await temp.open();

    const page = await store.history(chatId, { limit: 200 });
    expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(page.messages[0]).toMatchObject({ id: 'm1', body: 'old 1', clientMsgId: 'cm1', senderId: userId });

    const next = await store.appendMessage({ chatId, senderId: userId, clientMsgId: 'new-1', body: 'after the upgrade', createdAt: new Date().toISOString() }, 'm121');
    expect(next).toMatchObject({ duplicate: false, message: { seq: 121 } });
    // the (chat, sender, clientMsgId) key survived the table rebuild
    const resend = await store.appendMessage({ chatId, senderId: userId, clientMsgId: 'cm7', body: 'old 7', createdAt: new Date().toISOString() }, 'other-id');
    expect(resend).toMatchObject({ duplicate: true, message: { id: 'm7', seq: 7 } });
    expect((await store.getChat(chatId))?.lastSeq).toBe(121);
  });

  it('records the newest version, so opening again changes nothing', async () => {
    oldDatabase(2, 3);
    await temp.open();
    await temp.close();
    const db = new Database(temp.file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const indexes = db.prepare<[], { name: string; unique: number }>("SELECT name, \"unique\" FROM pragma_index_list('messages')").all();
    // only the clientMsgId key (and the primary key) remain
    expect(indexes.filter((i) => i.unique).map((i) => i.name).sort()).toEqual(['messages_client_id', 'sqlite_autoindex_messages_1']);
    // a chat's last seq is read from its messages (migration 6), not kept in a column
    const chatColumns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('chats')").all().map((c) => c.name);
    expect(chatColumns).not.toContain('last_seq');
    db.close();
    const store = await temp.open();
    expect((await store.history('c1', { limit: 10 })).messages).toHaveLength(3);
  });
});
