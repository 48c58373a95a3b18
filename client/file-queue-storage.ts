// The outgoing queue as a JSON file, for the Electron main process. Written to a
// temporary file, flushed, then renamed over the old one, so a crash mid-write
// leaves either the old queue or the new one, never half of each.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseQueue, type QueueStorage } from './queue-storage';
import type { OutgoingMessage } from './types';

let tmpCounter = 0;

export class FileQueueStorage implements QueueStorage {
  /** Saves run one after another: a slow older write must not land after a newer one. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async load(): Promise<OutgoingMessage[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      return parseQueue(JSON.parse(text));
    } catch {
      // Unreadable (should not happen with rename-over); an empty queue beats a client that cannot start.
      return [];
    }
  }

  save(items: OutgoingMessage[]): Promise<void> {
    const data = JSON.stringify(items);
    const run = this.chain.then(() => this.write(data));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async write(data: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.${++tmpCounter}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
