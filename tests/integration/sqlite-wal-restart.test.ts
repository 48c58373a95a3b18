// Under a steady stream of appends, the checkpointer thread must make SQLite's WAL
// start over. Otherwise it only grows, until wal_autocheckpoint makes the appending
// connection checkpoint it on the relay's event loop: stalls of 100 ms and more.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seedOneMemberChat, useTempSqlite } from '../helpers/temp-sqlite';

const temp = useTempSqlite('relay-wal-');

describe('the SQLite WAL under steady appends', () => {
  it('starts over while appends go on, well before wal_autocheckpoint would make the appender do it', async () => {
    const store = await temp.open();
    const chat = await seedOneMemberChat(store);
    const at = new Date().toISOString();

    // One at a time, so each append is a commit of its own: at least 2 WAL frames each
    // (the message and its clientMsgId key), so at least 18,000 frames in all, past the
    // checkpointer's 16,384 but short of wal_autocheckpoint's 65,536. The first as a live
    // chat:send is (it starts the checkpointer); the rest through appendMessages, which
    // commits each call at once on the same connection, where live appends commit at
    // most every COMMIT_INTERVAL_MS (9,000 of those would take 90 s).
    const appends = 9000;
    const message = (n: number) => ({ msg: { chatId: chat.id, senderId: 'u1', clientMsgId: `cm${n}`, body: `message ${n}`, createdAt: at }, id: `id${n}` });
    await store.appendMessage(message(1).msg, message(1).id);
    for (let n = 2; n <= appends; n++) await store.appendMessages([message(n)]);
    // let the checkpointer have a round (one a second) after the last append
    await new Promise((r) => setTimeout(r, 1500));

    const probe = new Database(temp.file);
    try {
      const [wal] = probe.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      // `log` counts the frames since the WAL last started over: had it never started
      // over, that would be every frame of every append
      expect(wal!.log).toBeLessThan(2 * appends);
    } finally {
      probe.close();
    }
    expect((await store.history(chat.id, { limit: 1 })).messages[0]?.seq).toBe(appends);
  });
});
