// The thread that applies the message log to SQLite (sqlite-message-log.ts): many
// batches of messages in a few transactions of whole chats on its own connection, and
// an fdatasync of the WAL after the last, so that when it answers they are in the
// tables and on disk, and the log may move on. On a thread because applying a second's
// messages takes 35-100 ms (measured at 2,000 msg/s over 100 chats), which on the event
// loop would hold every socket that long.
import Database from 'better-sqlite3';
import { fdatasyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { configure, createApplier } from './sqlite-append';
import { decodeRecords, type LoggedMessage } from './sqlite-message-log';
import type { ApplyReply, ApplyRequest } from './sqlite-log-applier-thread';

const { file, chunkMessages } = workerData as { file: string; chunkMessages?: number };
const db = new Database(file);
configure(db);
// Commits go to the WAL without an fsync each; one fdatasync of the WAL after the last
// of them makes them all durable before the answer (as the append path's WalSync does).
// The commits then hold SQLite's write lock only for their inserts, not for a flush of
// megabytes each.
db.pragma('synchronous = NORMAL');
const apply = createApplier(db);
let walFd: number | null = null;
/** Everything committed so far on disk: see sqlite-wal-sync.ts for why the WAL's fd is stable. */
const flushWal = () => fdatasyncSync((walFd ??= openSync(`${file}-wal`, 'r+')));

/**
 * Messages per transaction, about (whole chats, so each of a chat's pages is still
 * written once). Between transactions the relay's own writes may run (ApplierGate in
 * sqlite.ts), so none waits for a whole apply: a minute's messages at 2,000 msg/s take
 * a second or more to apply, a transaction of this many a few tens of milliseconds.
 */
const CHUNK_MESSAGES = 2000;

/** The messages in parts of whole chats of about `size` messages each, in log order within a chat. */
function byChats<T extends { chatId: string }>(messages: readonly T[], size: number): T[][] {
  const chats = new Map<string, T[]>();
  for (const m of messages) {
    const list = chats.get(m.chatId);
    if (list) list.push(m);
    else chats.set(m.chatId, [m]);
  }
  const parts: T[][] = [];
  let part: T[] = [];
  for (const list of chats.values()) {
    for (const m of list) part.push(m);
    if (part.length >= size) {
      parts.push(part);
      part = [];
    }
  }
  if (part.length) parts.push(part);
  return parts;
}

let gathered: LoggedMessage[] = [];
/** Bytes of records gathered, and where each message's record ends (only for `oneByOne`). */
let gatheredEnds: number[] = [];
let gatheredBytes = 0;
/** The request being applied: its range and the transactions left. */
let current: { from: number; to: number; chunks: LoggedMessage[][] } | null = null;

const reply = (r: ApplyReply) => parentPort!.postMessage(r);

/** Applies the next transaction of the current request; pauses between them (ApplyReply). */
function step(): void {
  const req = current!;
  try {
    const chunk = req.chunks.shift()!;
    db.transaction(() => apply(chunk)).immediate();
    if (req.chunks.length) return reply({ paused: true });
    flushWal();
    current = null;
    reply({ done: req.to });
  } catch (e) {
    current = null;
    // what was committed is not yet known to be on disk: nothing counts as applied
    reply({ done: req.from, error: e instanceof Error ? e.message : String(e) });
  }
}

parentPort!.on('message', (msg: ApplyRequest | 'continue') => {
  if (msg === 'continue') return step();
  const part = msg;
  // a request comes in parts (sqlite-log-applier-thread.ts): applied once all are here
  const records = Buffer.from(part.records.buffer, part.records.byteOffset, part.records.byteLength);
  const onEnd = part.oneByOne ? (end: number) => gatheredEnds.push(part.from + gatheredBytes + end) : undefined;
  for (const m of decodeRecords(records, onEnd)) gathered.push(m);
  gatheredBytes += records.length;
  if (part.more) return;
  const messages = gathered;
  const ends = gatheredEnds;
  gathered = [];
  gatheredEnds = [];
  gatheredBytes = 0;
  if (!part.oneByOne) {
    if (messages.length === 0) return reply({ done: part.to });
    current = { from: part.from, to: part.to, chunks: byChats(messages, chunkMessages ?? CHUNK_MESSAGES) };
    return step();
  }
  // after a failure (disk full): see applyLogged in sqlite.ts
  let done = part.from;
  try {
    messages.forEach((m, i) => {
      db.transaction(() => apply([m])).immediate();
      flushWal();
      done = ends[i]!;
    });
    reply({ done: part.to });
  } catch (e) {
    reply({ done, error: e instanceof Error ? e.message : String(e) });
  }
});
