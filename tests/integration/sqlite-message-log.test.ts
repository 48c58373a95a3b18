// The SQLite store's message log (relay/store/sqlite-message-log.ts; the relay's default
// when it has its DATA_DIR to itself): such a store acknowledges appends once they are in the log, and
// applies them to the tables later. What must hold as it did before: every acknowledged message
// survives a crash exactly once and in seq order, a torn record at the end of the log
// is not replayed, a resend of a message still only in the log answers the original,
// and deleting a chat or taking a seq for a membership entry sees the logged messages.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../relay/store/sqlite';
import { encodeRecord, scanLog, type LoggedMessage } from '../../relay/store/sqlite-message-log';
import type { MessageRecord, Store } from '../../relay/store/types';
import { messageRowsInSqlite, seedOneMemberChat, useTempSqlite } from '../helpers/temp-sqlite';

const temp = useTempSqlite('relay-msglog-');
const ROOT = resolve(import.meta.dirname, '../..');
const at = '2030-01-01T00:00:00.000Z';
const logFile = () => join(temp.dir, 'relay.sqlite-msglog.0');
/** What the log's first segment holds now (nothing once replayed and removed). */
const inLog = () => (existsSync(logFile()) ? scanLog(readFileSync(logFile())).messages : []);

/** Every message of the chat, oldest first, through pages of history as a client reads them. */
async function everything(store: Store, chatId: string): Promise<MessageRecord[]> {
  const out: MessageRecord[] = [];
  for (;;) {
    const page = await store.history(chatId, { after: out.at(-1)?.seq ?? 0, limit: 200 });
    out.push(...page.messages);
    if (!page.hasMore) return out;
  }
}

const send = (store: Store, chatId: string, n: number, senderId = 'u1') =>
  store.appendMessage({ chatId, senderId, clientMsgId: `cm${n}`, body: `m${n}`, createdAt: at }, `id${n}`);

describe('the message log', () => {
  it('a resend of a message still only in the log answers the original; history shows it', async () => {
    const store = await openSqliteStore(temp.dir, { messageLog: { enabled: true, applyMs: 60_000, idleMs: 60_000 } });
    try {
      const chat = await seedOneMemberChat(store);
      const first = await send(store, chat.id, 1);
      const second = await send(store, chat.id, 2);
      expect([first.message.seq, second.message.seq]).toEqual([1, 2]);
      expect(messageRowsInSqlite(temp.file)).toBe(0);
      const again = await store.appendMessage({ chatId: chat.id, senderId: 'u1', clientMsgId: 'cm1', body: 'm1', createdAt: at }, 'other-id');
      expect(again).toEqual({ message: first.message, duplicate: true });
      expect((await store.history(chat.id, { limit: 1 })).messages).toEqual([second.message]);
      expect(await store.history(chat.id, { limit: 1, before: 2 })).toEqual({ messages: [first.message], hasMore: false });
      expect((await store.getChat(chat.id))!.lastSeq).toBe(2);
      expect(await store.markRead(chat.id, 'u1', 99)).toBe(2);
    } finally {
      await store.close();
    }
    // closing applies what the log holds
    expect(messageRowsInSqlite(temp.file)).toBe(2);
    const reopened = await temp.open();
    expect((await everything(reopened, 'c1')).map((m) => m.clientMsgId)).toEqual(['cm1', 'cm2']);
    expect((await send(reopened, 'c1', 3)).message.seq).toBe(3);
  });

  it('replays a log left behind at open, up to a torn last record, and resends find what it held', async () => {
    let store = await temp.open();
    await seedOneMemberChat(store);
    await temp.close();
    const logged = (seq: number): LoggedMessage => ({ id: `id${seq}`, chatId: 'c1', seq, senderId: 'u1', body: `m${seq}`, clientMsgId: `cm${seq}`, createdAt: at });
    const whole = Buffer.concat([1, 2, 3].map((s) => encodeRecord(7, logged(s))));
    const torn = encodeRecord(7, logged(4)).subarray(0, 30);
    // and one of the round before, after the tear: never read
    writeFileSync(logFile(), Buffer.concat([whole, torn, Buffer.alloc(100), encodeRecord(6, logged(9))]));
    expect(scanLog(readFileSync(logFile())).messages.map((m) => m.seq)).toEqual([1, 2, 3]);

    store = await temp.open();
    expect((await everything(store, 'c1')).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(messageRowsInSqlite(temp.file)).toBe(3);
    // replayed, then removed: nothing of it is read again
    expect(inLog()).toEqual([]);
    const resend = await store.appendMessage({ chatId: 'c1', senderId: 'u1', clientMsgId: 'cm2', body: 'm2', createdAt: at }, 'new-id');
    expect(resend.duplicate).toBe(true);
    expect(resend.message).toMatchObject({ id: 'id2', seq: 2 });
    expect((await send(store, 'c1', 4)).message.seq).toBe(4);
  });

  it('a record with a bad checksum ends the log: what follows it is not replayed', async () => {
    const store = await temp.open();
    await seedOneMemberChat(store);
    await temp.close();
    const rec = (seq: number) => encodeRecord(1, { id: `id${seq}`, chatId: 'c1', seq, senderId: 'u1', body: `m${seq}`, clientMsgId: `cm${seq}`, createdAt: at });
    const bad = rec(2);
    bad[bad.length - 2] ^= 0xff;
    writeFileSync(logFile(), Buffer.concat([rec(1), bad, rec(3)]));
    const reopened = await temp.open();
    expect((await everything(reopened, 'c1')).map((m) => m.seq)).toEqual([1]);
  });

  it('deleting a chat drops its logged messages; an append to it afterwards fails', async () => {
    const store = await openSqliteStore(temp.dir, { messageLog: { enabled: true, applyMs: 60_000, idleMs: 60_000 } });
    try {
      const chat = await seedOneMemberChat(store);
      await send(store, chat.id, 1);
      await store.deleteChat(chat.id);
      await expect(send(store, chat.id, 2)).rejects.toThrow();
      expect(await store.getChat(chat.id)).toBeNull();
      expect((await store.history(chat.id, { limit: 10 })).messages).toEqual([]);
    } finally {
      await store.close();
    }
    expect(messageRowsInSqlite(temp.file)).toBe(0);
  });

  it('a leave takes its entry seq after every logged message; a group left empty goes with them', async () => {
    const store = await openSqliteStore(temp.dir, { messageLog: { enabled: true, applyMs: 60_000, idleMs: 60_000 } });
    try {
      await seedOneMemberChat(store);
      await store.createUser({ id: 'u2', username: 'bob', displayName: 'Bob', createdAt: at }, 'h', 's');
      await store.addMembers('c1', ['u2']);
      for (let n = 1; n <= 3; n++) await send(store, 'c1', n);
      const left = await store.leaveChat('c1', 'u2', at);
      expect(left!.entry!.seq).toBe(4);
      expect(left!.chat.lastSeq).toBe(4);
      expect((await send(store, 'c1', 5)).message.seq).toBe(5);
      expect((await everything(store, 'c1')).map((m) => [m.seq, m.kind])).toEqual([
        [1, 'text'],
        [2, 'text'],
        [3, 'text'],
        [4, 'left'],
        [5, 'text'],
      ]);
      await send(store, 'c1', 6);
      const gone = await store.leaveChat('c1', 'u1', at);
      expect(gone!.deleted).toBe(true);
      await expect(send(store, 'c1', 7)).rejects.toThrow();
    } finally {
      await store.close();
    }
    expect(messageRowsInSqlite(temp.file)).toBe(0);
  });

  it('a join or leave after every logged message is applied still takes the next seq, and so does the append after it', async () => {
    // applied 50 ms after appends pause: the chat's last seq stays known in memory after
    // its messages have left it, and must not be used past an entry SQLite numbered
    const store = await openSqliteStore(temp.dir, { messageLog: { enabled: true, applyMs: 60_000, idleMs: 50 } });
    try {
      await seedOneMemberChat(store);
      await store.createUser({ id: 'u2', username: 'bob', displayName: 'Bob', createdAt: at }, 'h', 's');
      await store.addMembers('c1', ['u2']);
      for (let n = 1; n <= 2; n++) await send(store, 'c1', n);
      await expect.poll(() => messageRowsInSqlite(temp.file), { timeout: 5000 }).toBe(2);
      const left = await store.leaveChat('c1', 'u2', at);
      expect(left!.entry!.seq).toBe(3);
      expect((await send(store, 'c1', 3)).message.seq).toBe(4);
      await expect.poll(() => messageRowsInSqlite(temp.file), { timeout: 5000 }).toBe(4);
      expect((await everything(store, 'c1')).map((m) => [m.seq, m.kind])).toEqual([
        [1, 'text'],
        [2, 'text'],
        [3, 'left'],
        [4, 'text'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('appends are acknowledged while another connection holds the write lock, and reach SQLite once it is free', async () => {
    const store = await openSqliteStore(temp.dir, { messageLog: { enabled: true, applyMs: 20 } });
    const blocker = new Database(temp.file);
    try {
      const chat = await seedOneMemberChat(store);
      await send(store, chat.id, 0);
      blocker.exec('BEGIN IMMEDIATE');
      const results = await Promise.all([1, 2, 3, 4, 5].map((n) => send(store, chat.id, n)));
      expect(results.map((r) => r.message.seq)).toEqual([2, 3, 4, 5, 6]);
      // read while the rows cannot be in SQLite yet: history adds them from the log
      await new Promise((r) => setTimeout(r, 100));
      expect((await store.history(chat.id, { limit: 50 })).messages.map((m) => m.clientMsgId)).toEqual(['cm0', 'cm1', 'cm2', 'cm3', 'cm4', 'cm5']);
      expect((await send(store, chat.id, 3)).duplicate).toBe(true);
      blocker.exec('ROLLBACK');
      const rows = () => (blocker.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
      for (let i = 0; i < 100 && rows() < 6; i++) await new Promise((r) => setTimeout(r, 20));
      expect(rows()).toBe(6);
      expect((await store.history(chat.id, { limit: 50 })).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      blocker.close();
      await store.close();
    }
  });

  it("the store's own writes run between an apply's transactions, not after the whole apply", async () => {
    // one message in each of 400 chats and a transaction per chat: 400 transactions
    // applied 100 ms after the appends pause
    const store = await openSqliteStore(temp.dir, { messageLog: { enabled: true, applyMs: 60_000, idleMs: 100, applyChunk: 1 } });
    try {
      await seedOneMemberChat(store);
      const chats = Array.from({ length: 400 }, (_, i) => `c${i + 2}`);
      for (const id of chats) await store.createChat({ id, kind: 'group', pairKey: null, createdAt: at }, ['u1']);
      await Promise.all(chats.map((id) => send(store, id, 1)));
      expect(messageRowsInSqlite(temp.file)).toBe(0);
      // once the apply's first transaction is in, a write of the store's own
      for (let i = 0; i < 500 && messageRowsInSqlite(temp.file) === 0; i++) await new Promise((r) => setTimeout(r, 1));
      const rowsWhenWritten = await store.markRead('c2', 'u1', 1).then(() => messageRowsInSqlite(temp.file));
      expect(rowsWhenWritten).toBeGreaterThan(0);
      expect(rowsWhenWritten).toBeLessThan(400);
      await expect.poll(() => messageRowsInSqlite(temp.file), { timeout: 10_000 }).toBe(400);
      expect(await store.getReadSeq('c2', 'u1')).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('SIGKILL mid-flood, then reopen: every acknowledged message is there exactly once, in seq order', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/integration/sqlite-message-log-flood.ts'), temp.dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // kill once plenty are acknowledged: past several log restarts and applies
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`the flood did not get far in 30 s:\n${err}`)), 30_000);
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.split('\n').length > 4000) {
          clearTimeout(timer);
          res();
        }
      });
    });
    child.kill('SIGKILL');
    await exited;

    const acked = out
      .split('\n')
      .filter((l) => l && l !== 'ready')
      .map((l) => {
        const [chatId, seq, clientMsgId, id] = l.split(' ') as [string, string, string, string];
        return { chatId, seq: Number(seq), clientMsgId, id };
      });
    expect(acked.length).toBeGreaterThan(3000);
    // under the flood the log moved to its other segment (and back): written, so grown
    expect(statSync(join(temp.dir, 'relay.sqlite-msglog.1')).size).toBeGreaterThan(0);

    const store = await temp.open();
    for (const chatId of ['c1', 'c2', 'c3']) {
      const all = await everything(store, chatId);
      // seqs 1..n with no gap and no repeat; each clientMsgId once
      expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
      expect(new Set(all.map((m) => m.clientMsgId)).size).toBe(all.length);
      const bySeq = new Map(all.map((m) => [m.seq, m]));
      for (const a of acked.filter((x) => x.chatId === chatId)) {
        expect(bySeq.get(a.seq), `${a.clientMsgId} (seq ${a.seq}) was acknowledged`).toMatchObject({ id: a.id, clientMsgId: a.clientMsgId });
      }
      // the chat goes on from where it was
      expect((await store.appendMessage({ chatId, senderId: 'u1', clientMsgId: 'after', body: 'after', createdAt: at }, `after-${chatId}`)).message.seq).toBe(all.length + 1);
    }
  }, 60_000);
});
