// The least an ack-after-durable server must do, for the second baseline
// (`bare-server.ts` with BARE_JOURNAL): each message is written to a file and the file
// flushed to disk before the message is delivered or acknowledged. Group commit as the
// relay's SQLite store does it (relay/store/sqlite.ts): the sends read in one turn of
// the event loop are written together, synchronously, then one fdatasync on libuv's
// pool covers them; sends that arrive while it runs are written once it ends, and no
// sooner than `gapMs` after the previous write began (the store's COMMIT_INTERVAL_MS in
// the bench).
//
// Nothing else: no index, no resend check, never read back. The file is preallocated
// (zeros written a page at a time, then flushed once) and used as a ring, so no flush
// has a file size or block allocation to commit, only the pages just written.
import { fdatasync, fdatasyncSync, openSync, writeSync, closeSync } from 'node:fs';

const PAGE = 4096;

export interface JournalOptions {
  /** bytes of the preallocated ring */
  size?: number;
  /** a flush starts at least this long after the previous one started (0: as soon as it ends) */
  gapMs?: number;
}

export class BareJournal {
  private readonly fd: number;
  private readonly size: number;
  private readonly gapMs: number;
  private pos = 0;
  private pending: { record: Buffer; done: () => void }[] = [];
  private scheduled = false;
  private syncing = false;
  private lastStart = -Infinity;

  constructor(file: string, { size = 64 * 1024 * 1024, gapMs = 0 }: JournalOptions = {}) {
    this.size = size;
    this.gapMs = gapMs;
    this.fd = openSync(file, 'w+');
    const zeros = Buffer.alloc(PAGE);
    for (let at = 0; at < size; at += PAGE) writeSync(this.fd, zeros, 0, PAGE, at);
    fdatasyncSync(this.fd);
  }

  /** `done` runs once `record` is on disk. A failed flush ends the process: a baseline has no way to refuse. */
  append(record: string, done: () => void): void {
    this.pending.push({ record: Buffer.from(record + '\n'), done });
    if (!this.scheduled && !this.syncing) this.schedule();
  }

  /** The next write: on the next turn (the sends read in this one join it), or once the gap has passed. */
  private schedule(): void {
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.write();
    };
    const wait = this.lastStart + this.gapMs - performance.now();
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  private write(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const buf = Buffer.concat(batch.map((b) => b.record));
    if (this.pos + buf.length > this.size) this.pos = 0;
    this.lastStart = performance.now();
    writeSync(this.fd, buf, 0, buf.length, this.pos);
    this.pos += buf.length;
    this.syncing = true;
    fdatasync(this.fd, (err) => {
      if (err) throw err;
      this.syncing = false;
      for (const b of batch) b.done();
      if (this.pending.length === 0) return;
      // with no gap at once, as the store does: these have waited for this flush already
      if (this.gapMs === 0) this.write();
      else this.schedule();
    });
  }

  close(): void {
    closeSync(this.fd);
  }
}
