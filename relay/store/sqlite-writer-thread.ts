// Starts and talks to the writer thread (sqlite-writer.ts). The thread is TypeScript
// like the rest; it registers tsx itself, since a worker does not inherit the hooks
// that let the main thread load .ts files.
import { Worker } from 'node:worker_threads';
import type { WriterReply, WriterRequest } from './sqlite-writer-protocol';

const TSX_API = import.meta.resolve('tsx/esm/api');
const WRITER = new URL('./sqlite-writer.ts', import.meta.url).href;
const BOOT = `(async () => {
  const { register } = await import(${JSON.stringify(TSX_API)});
  register();
  await import(${JSON.stringify(WRITER)});
})();`;

export class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (reply: WriterReply) => void>();
  private nextId = 1;
  private dead: Error | null = null;

  constructor(file: string, role: 'writer' | 'checkpointer' = 'writer') {
    this.worker = new Worker(BOOT, { eval: true, workerData: { file, role } });
    this.worker.on('message', (m: WriterReply) => {
      const done = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      done?.(m);
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const [id, done] of this.waiting) done({ id, failed: `writer thread stopped: ${err.message}` });
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`exit ${code}`)));
  }

  /** Commits the batch on the writer thread; never rejects (a failure is a reply). */
  write(batch: WriterRequest['batch']): Promise<WriterReply> {
    const id = this.nextId++;
    if (this.dead) return Promise.resolve({ id, failed: `writer thread stopped: ${this.dead.message}` });
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, batch } satisfies WriterRequest);
    });
  }

  get alive(): boolean {
    return this.dead === null;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
