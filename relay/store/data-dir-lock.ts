// Who may use a DATA_DIR. A relay on its own keeps state in memory that holds only
// while it is the file's one user (presence, rate limits, the membership cache), so it
// takes the DATA_DIR for itself; relays joined through Redis share it. The lock is
// SQLite's own file lock on DATA_DIR/relay.lock, held for the life of the process: the
// kernel drops it when the process ends, however it ends, so a crash leaves nothing
// stale behind. On its own a relay holds the lock exclusive; joined, it holds it shared.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StartupRefused } from '../startup-refused';
import { isBusy } from './sqlite-append';

export interface DataDirLock {
  release(): void;
}

/** How long a starting relay waits for relays that are themselves just starting. */
const WAIT_MS = 2000;
const RETRY_MS = 50;

/** A row to read: a read transaction left open on it holds SQLite's shared lock, which
 * every other shared holder may hold too and an exclusive one may not. */
function holdShared(db: Database.Database): DataDirLock {
  // Written only when missing: a write transaction, even one that changes nothing, was
  // seen to fail with SQLITE_BUSY while other relays held their shared locks.
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'holder'").get() !== undefined;
  if (!hasTable || db.prepare('SELECT 1 FROM holder').get() === undefined)
    db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS holder (x INTEGER)');
      db.exec('INSERT INTO holder SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM holder)');
    }).immediate();
  db.exec('BEGIN');
  const reading = db.prepare('SELECT x FROM holder').iterate();
  reading.next();
  return {
    release() {
      reading.return?.();
      db.close();
    },
  };
}

function holdExclusive(db: Database.Database): DataDirLock {
  db.exec('BEGIN EXCLUSIVE');
  return { release: () => db.close() };
}

export async function lockDataDir(dataDir: string, shared: boolean): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const db = new Database(join(dataDir, 'relay.lock'), { timeout: RETRY_MS });
    try {
      return shared ? holdShared(db) : holdExclusive(db);
    } catch (e) {
      db.close();
      if (!isBusy(e)) throw e;
    }
    // Busy is also what relays starting at the same moment see of each other (SQLite
    // refuses one of two lock upgrades that would wait for each other): tried again
    // for a moment before the DATA_DIR counts as taken.
    if (Date.now() >= deadline)
      throw new StartupRefused(
        shared
          ? `another relay uses DATA_DIR ${dataDir} on its own; stop it, or start every relay on it with the same REDIS_URL`
          : `another relay is running on DATA_DIR ${dataDir}; several relays on one DATA_DIR must all be started with the same REDIS_URL`,
      );
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}
