// The body of the password-hashing thread (password-hasher.ts): scrypt, one at a time.
// It runs here, not on libuv's thread pool as crypto.scrypt would, because that pool
// is where the store's WAL fdatasync waits: a flood of sign-ins must never stand
// between a message and its ack.
import { scryptSync } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';

// On Linux a thread has a nice value of its own: this one yields the CPU to the event
// loop, so under a flood of sign-ins acks still come first. (/proc/thread-self names
// this thread's id; elsewhere the thread keeps the process's priority.)
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // not Linux, or not allowed: hashing runs at normal priority
}

export interface HashRequest {
  id: number;
  password: string;
  salt: Uint8Array;
  keylen: number;
}

export type HashReply = { id: number; key: Uint8Array } | { id: number; error: string };

parentPort?.on('message', (req: HashRequest) => {
  let reply: HashReply;
  try {
    reply = { id: req.id, key: scryptSync(req.password, req.salt, req.keylen) };
  } catch (err) {
    reply = { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
