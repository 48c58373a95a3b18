// Starts the log applier thread (sqlite-log-applier.ts) and hands it work, one request
// at a time.
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../ts-worker';
import type { LoggedMessage } from './sqlite-message-log';

const BODY = new URL('./sqlite-log-applier.ts', import.meta.url);

export interface ApplyRequest {
  /** Log positions: the messages are the log's records from `from` up to `to`. */
  from: number;
  to: number;
  /** Each with the log position at which its record ends. */
  messages: (LoggedMessage & { end: number })[];
  /** One transaction per message. */
  oneByOne: boolean;
}

/** `done`: the log position up to which every message is in the tables and on disk. */
export interface ApplyReply {
  done: number;
  error?: string;
}

export class LogApplierThread {
  private worker: Worker | null = null;
  private waiting: { resolve: (r: ApplyReply) => void } | null = null;

  constructor(private readonly file: string) {
    this.worker = this.start();
  }

  /** Applies the request; the answer says how far it got. One at a time. */
  apply(req: ApplyRequest): Promise<ApplyReply> {
    if (this.waiting) return Promise.reject(new Error('an apply is already running'));
    const worker = (this.worker ??= this.start());
    return new Promise((resolve) => {
      this.waiting = { resolve };
      worker.postMessage(req);
    });
  }

  private start(): Worker {
    const worker = startTsWorker(BODY, { workerData: { file: this.file } });
    worker.on('message', (r: ApplyReply) => {
      const w = this.waiting;
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
