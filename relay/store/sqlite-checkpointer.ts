// The checkpointer thread: copies SQLite's WAL into the main database file, with the
// fsyncs that takes, beside the relay's event loop rather than on it.
//
// A passive checkpoint blocks no one, but under a steady stream of appends it never
// finishes: new frames arrive while it copies. SQLite starts the WAL over from its
// beginning only once every frame is copied, so without more the WAL would grow until
// wal_autocheckpoint made the appending connection, on the event loop, checkpoint it
// (measured: stalls of 100 ms and more every few seconds at 2,000 msg/s). So once the
// WAL is long, a RESTART checkpoint follows the passive one: it holds the write lock
// while it copies the few frames that came in meanwhile, and leaves the WAL to start
// over. Appends meanwhile find the lock busy and retry (sqlite.ts). A WAL rewritten in
// place also keeps its size, so an fdatasync of it has no file size to record.
//
// What the RESTART costs the appends is its fsync of the database file: SQLite syncs
// that file only when a checkpoint reaches the end of the WAL, so that one fsync would
// flush every page the passive rounds had copied, with the write lock held (measured:
// 10-20 ms, and growing with the file). So the passive rounds' pages are flushed as
// they go, holding no lock: an fdatasync of the file after each round that copied
// something, and one more just before the RESTART, which is then left its last few
// pages (measured: 1-5 ms, at most 10, every 2 s or so at 2,000 msg/s, instead of
// 10-20 ms every 750 ms). These fdatasyncs only move disk work earlier: SQLite still
// does every fsync that its own durability needs.
import Database from 'better-sqlite3';
import { fdatasyncSync, openSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { configure } from './sqlite-append';

/**
 * WAL length, in frames (4 KiB pages), from which it is made to start over. With the
 * database flushed beforehand a RESTART costs about the same whatever the length, so
 * a long WAL means fewer of them; the file stays this long only under a steady load
 * (when appends pause, a passive round catches up and SQLite starts the WAL over).
 */
const RESTART_FRAMES = 16384;

/**
 * How often a passive round runs. A round copies the latest version of each page the
 * WAL holds, once, however many commits rewrote it since the last round: a chat's last
 * pages are rewritten by every append to it, so rounds further apart copy fewer bytes
 * per message (bench:store at 2,000 msg/s: 27 KB written per message with rounds every
 * 250 ms, 21-22 KB every 1 s, 20 KB every 2 s, where the wait to durable began to grow).
 */
const ROUND_MS = 1000;

const { file } = workerData as { file: string };
const db = new Database(file);
configure(db);
const dbFile = openSync(file, 'r+');
let last = { log: 0, checkpointed: 0 };

/** Flushes the pages checkpoints have copied into the database file since last time. */
function flushCopied(): void {
  fdatasyncSync(dbFile);
}

setInterval(() => {
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    if (!passive) return;
    const copied = passive.checkpointed > 0 && (passive.checkpointed !== last.checkpointed || passive.log !== last.log);
    last = passive;
    if (copied) flushCopied();
    if (passive.log >= RESTART_FRAMES) {
      // copy what came in meanwhile and flush it too, so the RESTART has little left
      db.pragma('wal_checkpoint(PASSIVE)');
      flushCopied();
      db.pragma('wal_checkpoint(RESTART)');
    }
  } catch {
    // busy or out of space: the next round tries again, and until then the WAL only grows
  }
}, ROUND_MS);
