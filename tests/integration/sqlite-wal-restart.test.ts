// Under a steady stream of appends, the checkpointer thread must make SQLite's WAL
// start over. Otherwise it only grows, until wal_autocheckpoint makes the appending
// connection checkpoint it on the relay's event loop: stalls of 100 ms and more.
import { closeSync, openSync, readSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seedOneMemberChat, useTempSqlite } from '../helpers/temp-sqlite';

const temp = useTempSqlite('relay-wal-');

/**
 * The WAL header's checkpoint sequence number (bytes 12-15, big-endian). SQLite adds one
 * each time the WAL starts over, and writes it with the first frame after: reading it
 * is a look at the file that takes no lock and checkpoints nothing.
 */
function walRestarts(fd: number): number {
  const header = Buffer.alloc(4);
  readSync(fd, header, 0, 4, 12);
  return header.readUInt32BE(0);
}

describe('the SQLite WAL under steady appends', () => {
  it('starts over while appends go on, well before wal_autocheckpoint would make the appender do it', async () => {
    const store = await temp.open();
    const chat = await seedOneMemberChat(store);
    const at = new Date().toISOString();
    const message = (n: number) => ({ msg: { chatId: chat.id, senderId: 'u1', clientMsgId: `cm${n}`, body: `message ${n}`, createdAt: at }, id: `id${n}` });

    // The first append as a live chat:send is (it starts the checkpointer); the rest
    // through appendMessages, which commits each call at once on the same connection,
    // where live appends commit at most every COMMIT_INTERVAL_MS. So each is a commit of
    // its own: at least 2 WAL frames (the leaf its row goes to, and the leaf of its
    // clientMsgId key), about 2.5 with the pages that splits add.
    // The checkpointer restarts the WAL once it is past 16,384 frames, at its next round
    // (one a second); wal_autocheckpoint would at 65,536, past the most appended here.
    // How many appends that takes depends on how fast this machine appends between two
    // rounds, so it appends until the WAL starts over, or until that cap.
    const cap = 24_000;
    await store.appendMessage(message(1).msg, message(1).id);
    const wal = openSync(`${temp.file}-wal`, 'r');
    let appended = 1;
    try {
      const before = walRestarts(wal);
      while (appended < cap && walRestarts(wal) === before) {
        appended++;
        await store.appendMessages([message(appended)]);
      }
      // Had it never started over, the loop would have run to the cap; it starts over
      // at the first append after a round that found the WAL past 16,384 frames
      expect(walRestarts(wal)).toBeGreaterThan(before);
      expect(appended).toBeLessThan(cap);
    } finally {
      closeSync(wal);
    }
    expect((await store.history(chat.id, { limit: 1 })).messages[0]?.seq).toBe(appended);
  });
});
