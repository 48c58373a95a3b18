// The body of the password-hashing thread (password-hasher.ts): scrypt, one at a time.
// It runs here, not on libuv's thread pool as crypto.scrypt would, because that pool
// is where the store's WAL fdatasync waits: a flood of sign-ins must never stand
// between a message and its ack.
import { scryptSync } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

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
