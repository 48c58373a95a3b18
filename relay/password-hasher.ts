// Password hashing (scrypt) on a thread of its own, with a cap on how many hashes may
// wait: beyond it the caller is told at once (429), rather than every sign-in queueing
// for seconds. See password-hash-thread.ts for why it is not crypto.scrypt.
import type { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest } from './password-hash-thread';
import { startTsWorker } from './ts-worker';

const BODY = new URL('./password-hash-thread.ts', import.meta.url);

/** Too many hashes already waiting: try again in a moment. */
export class HasherBusyError extends Error {
  constructor() {
    super('too many sign-ins at once');
  }
}

interface Pending {
  resolve(key: Buffer): void;
  reject(err: Error): void;
}

export class PasswordHasher {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** `maxInFlight`: hashes running or waiting before new ones are refused. */
  constructor(private readonly maxInFlight: number) {}

  inFlight(): number {
    return this.pending.size;
  }

  hash(password: string, salt: Buffer, keylen: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the password hasher is closed'));
    if (this.pending.size >= this.maxInFlight) return Promise.reject(new HasherBusyError());
    const id = this.nextId++;
    const req: HashRequest = { id, password, salt, keylen };
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread().postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    this.failAll(new Error('the password hasher is closed'));
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = startTsWorker(BODY);
    // Idle, it must not keep a relay that is stopping alive.
    w.unref();
    w.on('message', (reply: HashReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('key' in reply) p.resolve(Buffer.from(reply.key));
      else p.reject(new Error(reply.error));
    });
    const lost = (why: string) => {
      if (this.worker !== w) return;
      this.worker = null;
      // Whatever it was working on is lost; the next hash starts a new thread.
      this.failAll(new Error(`the password hashing thread stopped (${why})`));
    };
    w.on('error', (err) => lost(err.message));
    w.on('exit', (code) => lost(`exit ${code}`));
    this.worker = w;
    return w;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
