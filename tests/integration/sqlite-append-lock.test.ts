// The checkpointer thread holds SQLite's write lock for a moment when it makes the WAL
// start over. Appends must then wait without blocking the event loop, and go on in
// their order once the lock is free. Here another connection holds the lock instead.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppendResult } from '../../relay/store/types';
import { seedOneMemberChat, useTempSqlite } from '../helpers/temp-sqlite';

const temp = useTempSqlite('relay-lock-');
let blocker: Database.Database | undefined;

// registered after useTempSqlite's, so it runs first: the lock goes before the store closes
afterEach(() => {
  blocker?.close();
  blocker = undefined;
});

describe('SQLite appends while another connection holds the write lock', () => {
  it('wait without blocking the event loop, then are stored in call order, each once', async () => {
    const store = await temp.open();
    const chat = await seedOneMemberChat(store);
    const at = new Date().toISOString();
    const send = (n: number) => store.appendMessage({ chatId: chat.id, senderId: 'u1', clientMsgId: `cm${n}`, body: `m${n}`, createdAt: at }, `id${n}`);
    await send(0);

    blocker = new Database(temp.file);
    blocker.exec('BEGIN IMMEDIATE');
    const settled: number[] = [];
    const appends: Promise<AppendResult>[] = [];
    for (let n = 1; n <= 5; n++) appends.push(send(n).then((r) => (settled.push(n), r)));

    // timers keep firing while the appends wait: the loop is not stuck in SQLite
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    await new Promise((r) => setTimeout(r, 150));
    clearInterval(ticker);
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(settled).toEqual([]);

    blocker.exec('ROLLBACK');
    const results = await Promise.all(appends);
    expect(results.map((r) => r.message.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(settled).toEqual([1, 2, 3, 4, 5]);
    const page = await store.history(chat.id, { limit: 50 });
    expect(page.messages.map((m) => m.clientMsgId)).toEqual(['cm0', 'cm1', 'cm2', 'cm3', 'cm4', 'cm5']);
  });
});
