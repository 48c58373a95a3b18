// Starts and stops the checkpointer thread (sqlite-checkpointer.ts), TypeScript like
// the rest (ts-worker.ts).
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../ts-worker';

const BODY = new URL('./sqlite-checkpointer.ts', import.meta.url);

export class CheckpointerThread {
  private current: Worker;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;
  /** How many times the thread was started again after it stopped on its own. */
  restarts = 0;

  /** `restartDelayMs`: how long after an unexpected stop another thread is started. */
  constructor(
    private readonly file: string,
    private readonly restartDelayMs = 1000,
  ) {
    this.current = this.start();
  }

  /** The running thread (tests stop it to see it come back). */
  get thread(): Worker {
    return this.current;
  }

  private start(): Worker {
    const worker = startTsWorker(BODY, { workerData: { file: this.file } });
    // Its failure is not the relay's: an error is followed by 'exit', handled below.
    worker.on('error', () => undefined);
    // Without a checkpointer the WAL grows until wal_autocheckpoint (a safety net far
    // past the usual length) makes the appending connection checkpoint on the event
    // loop, so a thread that stopped is replaced, a moment later so that one failing
    // at once cannot spin.
    worker.once('exit', () => {
      if (this.stopped) return;
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.restarts++;
        this.current = this.start();
      }, this.restartDelayMs);
      this.restartTimer.unref();
    });
    worker.unref();
    return worker;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.current.terminate();
  }
}
