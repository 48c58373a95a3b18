// The thread that applies the message log to SQLite (sqlite-message-log.ts): many
// batches of messages in one transaction on its own connection, with synchronous=FULL,
// so that when it answers they are in the tables and on disk, and the log may move on.
// On a thread because such a transaction of a second's messages takes 35-100 ms
// (measured at 2,000 msg/s over 100 chats), which on the event loop would hold every
// socket that long.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { configure, createApplier } from './sqlite-append';
import type { ApplyReply, ApplyRequest } from './sqlite-log-applier-thread';

const { file } = workerData as { file: string };
const db = new Database(file);
configure(db);
const apply = createApplier(db);

/** How many transactions one apply is split into. */
const CHUNKS = 4;

/** The messages in `n` parts, each holding all of the messages of its chats, in log order. */
function byChats<T extends { chatId: string }>(messages: readonly T[], n: number): T[][] {
  const chats = new Map<string, number>();
  const parts: T[][] = Array.from({ length: n }, () => []);
  for (const m of messages) {
    let part = chats.get(m.chatId);
    if (part === undefined) chats.set(m.chatId, (part = chats.size % n));
    parts[part]!.push(m);
  }
  return parts.filter((p) => p.length > 0);
}

parentPort!.on('message', (req: ApplyRequest) => {
  let done = req.from;
  try {
    if (req.oneByOne) {
      // after a failure (disk full): see applyLogged in sqlite.ts
      for (const m of req.messages) {
        db.transaction(() => apply([m])).immediate();
        done = m.end;
      }
    } else {
      // In a few transactions of whole chats, each with its own flush, rather than one:
      // every page is still written once, but the disk gets several smaller flushes
      // instead of one of tens of MB, behind which the log's own small fdatasyncs (the
      // acknowledgements) would queue.
      for (const part of byChats(req.messages, CHUNKS)) db.transaction(() => apply(part)).immediate();
    }
    done = req.to;
    parentPort!.postMessage({ done } satisfies ApplyReply);
  } catch (e) {
    parentPort!.postMessage({ done, error: e instanceof Error ? e.message : String(e) } satisfies ApplyReply);
  }
});
