// The store's helper threads. A durable commit (fsync) takes the better part of a
// millisecond, a checkpoint much longer; done on the relay's event loop they stall
// every socket for that long. Here they run beside the loop:
//  - the writer commits the batches the main thread hands over and answers after each
//    commit, so appends resolve only once durable;
//  - the checkpointer copies the WAL into the main file off the commit path.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { configure, createAppender } from './sqlite-append';
import type { WriterReply, WriterRequest } from './sqlite-writer-protocol';

const { file, role } = workerData as { file: string; role: 'writer' | 'checkpointer' };
const db = new Database(file);
configure(db);

function serveWrites(): void {
  const { appendBatch } = createAppender(db);
  parentPort!.on('message', (req: WriterRequest) => {
    let reply: WriterReply;
    try {
      reply = { id: req.id, outcomes: appendBatch(req.batch) };
    } catch (e) {
      reply = { id: req.id, failed: e instanceof Error ? e.message : String(e) };
    }
    parentPort!.postMessage(reply);
  });
}

if (role === 'checkpointer') {
  // A passive checkpoint never blocks the writer or readers; what it cannot copy now
  // it copies next time. Frequent, so the WAL (and crash recovery) stays small.
  setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), 500);
} else serveWrites();
