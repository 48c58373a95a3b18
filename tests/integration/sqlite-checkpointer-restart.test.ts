// The checkpointer thread copies the WAL into the database file. If it stops on its
// own, another must take its place: otherwise the WAL grows until the appending
// connection checkpoints it on the relay's event loop.
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { configure } from '../../relay/store/sqlite-append';
import { CheckpointerThread } from '../../relay/store/sqlite-checkpointer-thread';
import { useTempSqlite } from '../helpers/temp-sqlite';

const temp = useTempSqlite('relay-ckpt-');

describe('the checkpointer thread', () => {
  it('is started again after it stops, and the new one copies the WAL into the database file', async () => {
    const db = new Database(temp.file);
    configure(db);
    // this connection never checkpoints by itself: only the thread can grow the file
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE blobs (b BLOB NOT NULL)');
    const checkpointer = new CheckpointerThread(temp.file, 20);
    try {
      const first = checkpointer.thread;
      await first.terminate();
      await vi.waitFor(() => expect(checkpointer.restarts).toBe(1), { timeout: 10_000, interval: 20 });
      expect(checkpointer.thread).not.toBe(first);

      const before = statSync(temp.file).size;
      db.prepare('INSERT INTO blobs (b) VALUES (randomblob(200000))').run();
      // about 50 pages, now only in the WAL; the new thread copies them over
      await vi.waitFor(() => expect(statSync(temp.file).size).toBeGreaterThan(before + 150_000), { timeout: 10_000, interval: 50 });
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('is not started again once stopped', async () => {
    const db = new Database(temp.file);
    configure(db);
    db.close();
    const checkpointer = new CheckpointerThread(temp.file, 20);
    await checkpointer.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(checkpointer.restarts).toBe(0);
  });
});
