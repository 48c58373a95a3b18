// Starts and stops the checkpointer thread (sqlite-checkpointer.ts). The thread is
// TypeScript like the rest; it registers tsx itself, since a worker does not inherit
// the hooks that let the main thread load .ts files.
import { Worker } from 'node:worker_threads';

const TSX_API = import.meta.resolve('tsx/esm/api');
const BODY = new URL('./sqlite-checkpointer.ts', import.meta.url).href;
const BOOT = `(async () => {
  const { register } = await import(${JSON.stringify(TSX_API)});
  register();
  await import(${JSON.stringify(BODY)});
})();`;

export class CheckpointerThread {
  private readonly worker: Worker;

  constructor(file: string) {
    this.worker = new Worker(BOOT, { eval: true, workerData: { file } });
    // A stopped checkpointer costs only WAL growth (wal_autocheckpoint is the safety
    // net), so its failure is not the relay's: it is not restarted or rethrown.
    this.worker.on('error', () => undefined);
    this.worker.unref();
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
