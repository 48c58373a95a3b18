// Appends commit at most every COMMIT_INTERVAL_MS, so that under a steady stream each
// commit (and its fdatasync) carries several; a lone append after a quiet spell still
// commits at once. Watched through the store's flush seam: one flush per commit.
import { describe, expect, it } from 'vitest';
import { COMMIT_INTERVAL_MS } from '../../relay/store/sqlite';
import type { AppendResult } from '../../relay/store/types';
import { seedOneMemberChat, useTempSqlite } from '../helpers/temp-sqlite';

const temp = useTempSqlite('relay-interval-');

describe('SQLite append commits', () => {
  it('under a steady stream start at least the interval apart, each carrying several appends, in order', async () => {
    const flushesAt: number[] = [];
    const store = await temp.open({ flushGate: async () => void flushesAt.push(performance.now()) });
    const chat = await seedOneMemberChat(store);
    const at = new Date().toISOString();
    const send = (n: number) => store.appendMessage({ chatId: chat.id, senderId: 'u1', clientMsgId: `cm${n}`, body: `m${n}`, createdAt: at }, `id${n}`);

    // one append every millisecond or so for 150 appends (bounded: it always ends)
    const appends: Promise<AppendResult>[] = [];
    const start = performance.now();
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        appends.push(send(appends.length + 1));
        if (appends.length === 150) {
          clearInterval(timer);
          done();
        }
      }, 1);
    });
    const results = await Promise.all(appends);
    expect(results.map((r) => r.message.seq)).toEqual(appends.map((_, i) => i + 1));

    // every commit started between `start` and its flush, the next at least the
    // interval after it: n commits need (n - 1) intervals
    const span = flushesAt[flushesAt.length - 1]! - start;
    expect(flushesAt.length).toBeLessThanOrEqual(Math.floor(span / COMMIT_INTERVAL_MS) + 1);
    expect(flushesAt.length).toBeLessThan(results.length / 2);
  });

  it('after a quiet spell, an append commits on the next turn of the event loop, not after the interval', async () => {
    let flushes = 0;
    const store = await temp.open({ flushGate: async () => void flushes++ });
    const chat = await seedOneMemberChat(store);
    const at = new Date().toISOString();
    await store.appendMessage({ chatId: chat.id, senderId: 'u1', clientMsgId: 'cm1', body: 'first', createdAt: at }, 'id1');
    await new Promise((r) => setTimeout(r, COMMIT_INTERVAL_MS * 4));

    const before = flushes;
    const second = store.appendMessage({ chatId: chat.id, senderId: 'u1', clientMsgId: 'cm2', body: 'second', createdAt: at }, 'id2');
    // a setImmediate queued after the append's runs after it: by then it has committed
    await new Promise((r) => setImmediate(r));
    expect(flushes).toBe(before + 1);
    expect((await second).message.seq).toBe(2);
  });
});
