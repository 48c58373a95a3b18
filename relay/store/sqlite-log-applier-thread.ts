// Starts the log applier thread (sqlite-log-applier.ts) and hands it work, one request
// at a time.
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../ts-worker';

const BODY = new URL('./sqlite-log-applier.ts', import.meta.url);

export interface ApplyRequest {
  /** Log positions: the records are the log's from `from` up to `to`. */
  from: number;
  to: number;
  /** Records as written to the log (sqlite-message-log.ts), laid end to end. */
  records: Uint8Array;
  /** One transaction per message. */
  oneByOne: boolean;
  /** More records of this request follow in the next message (see PART_BYTES). */
  more: boolean;
}

/**
 * Bytes of records handed to the thread per postMessage, one event-loop turn apart, so
 * that copying a minute's records does not hold the event loop in one go.
 */
const PART_BYTES = 1 << 20;

/**
 * `done`: the log position up to which every message is in the tables and on disk.
 * `paused`: a transaction has committed and more follow; the thread waits for
 * 'continue' (the relay's own writes run in between).
 */
export type ApplyReply = { done: number; error?: string } | { paused: true };
export type ApplyDone = Extract<ApplyReply, { done: number }>;

export class LogApplierThread {
  private worker: Worker | null = null;
  private waiting: { resolve: (r: ApplyDone) => void; paused: () => Promise<void> } | null = null;

  /** `chunkMessages`: messages per transaction, about (the thread's default when absent). */
  constructor(
    private readonly file: string,
    private readonly chunkMessages?: number,
  ) {
    this.worker = this.start();
  }

  /**
   * Applies the log's records from `from` to `to`, given as the batches written (the
   * thread skips what is stored already and chats deleted since); the answer says how
   * far it got. Between its transactions the thread waits for `paused` to settle. One
   * at a time.
   */
  apply(req: { from: number; to: number; records: readonly Buffer[]; oneByOne: boolean }, paused: () => Promise<void>): Promise<ApplyDone> {
    if (this.waiting) return Promise.reject(new Error('an apply is already running'));
    const worker = (this.worker ??= this.start());
    return new Promise((resolve) => {
      this.waiting = { resolve, paused };
      const post = (at: number) => {
        if (this.worker !== worker) return; // stopped meanwhile: the exit answered
        let until = at;
        let bytes = 0;
        while (until < req.records.length && (bytes === 0 || bytes + req.records[until]!.length <= PART_BYTES)) bytes += req.records[until++]!.length;
        // a copy of its own, moved to the thread rather than copied again
        const part = Buffer.concat(req.records.slice(at, until), bytes);
        const more = until < req.records.length;
        const msg: ApplyRequest = { from: req.from, to: req.to, records: part, oneByOne: req.oneByOne, more };
        worker.postMessage(msg, part.byteOffset === 0 && part.byteLength === part.buffer.byteLength ? [part.buffer] : []);
        if (more) setImmediate(post, until);
      };
      post(0);
    });
  }

  private start(): Worker {
    const worker = startTsWorker(BODY, { workerData: { file: this.file, chunkMessages: this.chunkMessages } });
    worker.on('message', (r: ApplyReply) => {
      const w = this.waiting;
      if ('paused' in r) {
        void w?.paused().then(() => {
          if (this.worker === worker) worker.postMessage('continue');
        });
        return;
      }
      this.waiting = null;
      w?.resolve(r);
    });
    // Its failure is not the relay's: what it was applying stays in the log and in
    // memory, and is applied again by the next thread.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      if (this.worker === worker) this.worker = null;
      const w = this.waiting;
      this.waiting = null;
      w?.resolve({ done: -1, error: 'the log applier thread stopped' });
    });
    worker.unref();
    return worker;
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}
