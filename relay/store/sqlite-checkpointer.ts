// The checkpointer thread: copies SQLite's WAL into the main database file, with the
// fsyncs that takes, beside the relay's event loop rather than on it. A passive
// checkpoint never blocks the appender or readers; what it cannot copy now it copies
// next time. Frequent, so the WAL (and crash recovery) stays small.
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import { configure } from './sqlite-append';

const { file } = workerData as { file: string };
const db = new Database(file);
configure(db);
setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), 500);
