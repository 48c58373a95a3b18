// Resends with the message log when the SQLite lookup is skipped for ids above the
// sender's bound (relay/store/resend-bounds.ts): every resend still answers its
// original, whichever way the original reached the tables, and new ids still get new
// seqs. Real stores on disk.
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../relay/store/sqlite';
import type { AppendResult, Store } from '../../relay/store/types';
import { messageRowsInSqlite, seedOneMemberChat, useTempSqlite } from '../helpers/temp-sqlite';

const temp = useTempSqlite('relay-resend-bounds-');
const at = '2030-01-01T00:00:00.000Z';

const open = (applyMs = 60_000, idleMs = 60_000) => openSqliteStore(temp.dir, { messageLog: { enabled: true, applyMs, idleMs } });
const send = (store: Store, chatId: string, clientMsgId: string, id = `id-${clientMsgId}-${Math.random()}`): Promise<AppendResult> =>
  store.appendMessage({ chatId, senderId: 'u1', clientMsgId, body: `body ${clientMsgId}`, createdAt: at }, id);

describe('resends past the bound', () => {
  it('finds originals stored by an earlier process, and numbers new ids on', async () => {
    let store = await open();
    const chat = await seedOneMemberChat(store);
    const first = await send(store, chat.id, '0001aa');
    const second = await send(store, chat.id, '0002aa');
    await store.close();
    // the log is replayed into the tables at open; this process has seen none of the ids
    store = await open();
    try {
      expect(await send(store, chat.id, '0002aa')).toEqual({ message: second.message, duplicate: true });
      expect(await send(store, chat.id, '0001aa')).toEqual({ message: first.message, duplicate: true });
      const third = await send(store, chat.id, '0003aa');
      expect(third.duplicate).toBe(false);
      expect(third.message.seq).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('finds an original that a bulk write put in the tables past the log', async () => {
    const store = await open();
    try {
      const chat = await seedOneMemberChat(store);
      // the sender's bound is read and raised to "m2" here
      expect((await send(store, chat.id, 'm2')).message.seq).toBe(1);
      const [bulk] = await store.appendMessages([{ msg: { chatId: chat.id, senderId: 'u1', clientMsgId: 'm9', body: 'bulk', createdAt: at }, id: 'bulk-id' }]);
      expect(bulk!.message.seq).toBe(2);
      // "m9" is above the bound as it was before the bulk write: the bound must be read again
      expect(await send(store, chat.id, 'm9')).toEqual({ message: bulk!.message, duplicate: true });
      expect((await send(store, chat.id, 'm91')).message.seq).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('finds originals of ids sent out of order once they are applied to the tables', async () => {
    const store = await open(30, 30);
    try {
      const chat = await seedOneMemberChat(store);
      // as a client with random ids sends them: later ones may sort first
      const b = await send(store, chat.id, 'b');
      const a = await send(store, chat.id, 'a');
      const c = await send(store, chat.id, 'c');
      await expect.poll(() => messageRowsInSqlite(temp.file), { timeout: 5000 }).toBe(3);
      expect(await send(store, chat.id, 'b')).toEqual({ message: b.message, duplicate: true });
      expect(await send(store, chat.id, 'a')).toEqual({ message: a.message, duplicate: true });
      expect(await send(store, chat.id, 'c')).toEqual({ message: c.message, duplicate: true });
      expect((await send(store, chat.id, 'aa')).message.seq).toBe(4);
      // and again while a new one is only in the log
      expect(await send(store, chat.id, 'aa')).toMatchObject({ duplicate: true, message: { seq: 4 } });
    } finally {
      await store.close();
    }
  });
});
