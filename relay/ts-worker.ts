// A worker thread that runs one of the relay's TypeScript files. A worker does not
// inherit the hooks that let the main thread load .ts files, so it registers tsx itself
// before importing its body.
import { Worker, type WorkerOptions } from 'node:worker_threads';

const TSX_API = import.meta.resolve('tsx/esm/api');

export function startTsWorker(body: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const boot = `(async () => {
  const { register } = await import(${JSON.stringify(TSX_API)});
  register();
  await import(${JSON.stringify(body.href)});
})();`;
  return new Worker(boot, { ...options, eval: true });
}
