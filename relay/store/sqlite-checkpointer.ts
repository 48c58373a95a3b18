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
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import { configure } from './sqlite-append';

/** WAL length, in frames (4 KiB pages), from which it is made to start over. */
const RESTART_FRAMES = 4096;

const { file } = workerData as { file: string };
const db = new Database(file);
configure(db);
setInterval(() => {
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    if (passive && passive.log >= RESTART_FRAMES) db.pragma('wal_checkpoint(RESTART)');
  } catch {
    // busy or out of space: the next round tries again, and until then the WAL only grows
  }
}, 250);
