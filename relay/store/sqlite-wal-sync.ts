// Group commit for appends. The append connection commits with synchronous=NORMAL:
// the transaction is in SQLite's WAL file (in the OS page cache) when the commit
// returns, which takes tens of microseconds and survives a crash of the relay, but
// not yet a power cut. This makes it durable: an fdatasync of the WAL file, run on
// libuv's thread pool so the event loop never waits on the disk. Commits made while
// one fdatasync runs are all covered by the next one, so one disk flush serves every
// commit of that moment, however many there were.
//
// A failed fdatasync is fatal (`onFailure`): after an I/O error Linux may drop the dirty
// pages and report the next fdatasync as a success, so retrying could acknowledge a
// message that is not on disk. The relay stops instead; what was acknowledged before
// is on disk, and senders resend the rest to a relay that starts afresh.
import { closeSync, fdatasync, openSync } from 'node:fs';

type Waiter = { resolve: () => void; reject: (e: Error) => void };

/**
 * Runs before each fdatasync, which waits for it; a rejection counts as the flush
 * failing. The seam through which tests hold a flush (or fail one) to watch what waits
 * for it; the relay itself never sets one.
 */
export type FlushGate = () => Promise<void>;

export class WalSync {
  private fd: number | null = null;
  private running = false;
  private waiting: Waiter[] = [];
  private closed = false;

  /**
   * `walFile` is the database file's `-wal` companion; or a function giving, when a
   * flush starts, the descriptor of the file to flush (the message log's segment being
   * written), which its owner closes.
   */
  constructor(
    private readonly walFile: string | (() => number),
    private readonly onFailure: (err: Error) => void,
    private readonly gate: FlushGate | null = null,
  ) {}

  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('store closed'));
      this.waiting.push({ resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    let fd: number;
    try {
      // Opened on first use: SQLite creates the WAL file with the first write. It keeps
      // the same file (same inode) for as long as a connection is open; a checkpoint
      // rewrites it from the start, never replaces it.
      fd = typeof this.walFile === 'function' ? this.walFile() : (this.fd ??= openSync(this.walFile, 'r+'));
    } catch (e) {
      for (const w of batch) w.reject(e as Error);
      return;
    }
    this.running = true;
    const done = (err: Error | null) => {
      this.running = false;
      for (const w of batch) {
        if (err) w.reject(err);
        else w.resolve();
      }
      if (err) this.onFailure(err);
      this.next();
    };
    const flush = () => fdatasync(fd, (err) => done(err));
    if (this.gate) this.gate().then(flush, (e: unknown) => done(e instanceof Error ? e : new Error(String(e))));
    else flush();
  }

  /** Waits for the flush in progress and any still asked for, then closes the file. */
  async close(): Promise<void> {
    if (this.waiting.length || this.running) await this.sync().catch(() => undefined);
    this.closed = true;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
