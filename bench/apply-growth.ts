// `npm run bench:apply-growth`: what putting logged messages into SQLite costs as the
// history grows, by the shape of their clientMsgIds. The message log's applier
// (relay/store/sqlite-log-applier.ts) inserts each message into the messages table
// (clustered by chat and seq, so new rows go to the end of their chat) and into the
// unique resend index on (chat, sender, clientMsgId), where a new entry goes wherever
// its clientMsgId sorts among the sender's earlier ones. Here rounds of 60,000 messages
// over 100 chats of 5 senders (30 s at 2,000 msg/s, one apply of the log) go into a new
// database through the applier's own statement, in transactions of whole chats, each
// round followed by a checkpoint; each line gives the CPU and the bytes written
// (`write_bytes`: WAL and checkpoint) per message of that round.
//
// `random`: 128 random bits, as the desktop and web clients made their ids before.
// `ordered`: the time in ms first, then random bits (client/client-msg-id.ts now).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { migrate } from '../relay/store/sqlite-schema';
import { configure, createApplier } from '../relay/store/sqlite-append';
import type { LoggedMessage } from '../relay/store/sqlite-message-log';
import { newClientMsgId } from '../client/client-msg-id';
import { takeWholeNumbers } from './options';
import { readWriteBytes } from './server-process';

const CHATS = 100;
const MEMBERS = 5;
const PER_ROUND = 60_000;
/** About the applier thread's transaction size (CHUNK_MESSAGES there). */
const CHUNK = 2000;

function run(kind: 'random' | 'ordered', rounds: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'apply-growth-'));
  const db = new Database(join(dir, 'relay.sqlite'));
  try {
    configure(db);
    migrate(db);
    // as on the applier thread: one fdatasync at the end of an apply, not one per commit
    db.pragma('synchronous = NORMAL');
    const chats = Array.from({ length: CHATS }, () => randomUUID());
    const addChat = db.prepare("INSERT INTO chats (id, kind, created_at) VALUES (?, 'group', ?)");
    for (const c of chats) addChat.run(c, new Date().toISOString());
    const apply = createApplier(db);
    const seqs = new Map<string, number>();
    let clock = Date.now();
    console.log(`\n${kind} clientMsgIds`);
    for (let round = 0; round < rounds; round++) {
      // the round's messages, in the order they were sent, split into whole chats as the thread does
      const byChat = new Map<string, LoggedMessage[]>();
      for (let i = 0; i < PER_ROUND; i++) {
        const chatId = chats[i % CHATS]!;
        const seq = (seqs.get(chatId) ?? 0) + 1;
        seqs.set(chatId, seq);
        // 2,000 msg/s: a millisecond every other message
        if (i % 2 === 0) clock++;
        const clientMsgId = kind === 'ordered' ? newClientMsgId(clock) : randomBytes(16).toString('hex');
        const m: LoggedMessage = { id: randomUUID(), chatId, seq, senderId: `${chatId}:${i % MEMBERS}`, body: 'x'.repeat(100), clientMsgId, createdAt: new Date(clock).toISOString() };
        const list = byChat.get(chatId);
        if (list) list.push(m);
        else byChat.set(chatId, [m]);
      }
      const bytesBefore = readWriteBytes(process.pid);
      const cpuBefore = process.cpuUsage();
      let part: LoggedMessage[] = [];
      const commit = () => {
        db.transaction(() => apply(part)).immediate();
        part = [];
      };
      for (const list of byChat.values()) {
        part.push(...list);
        if (part.length >= CHUNK) commit();
      }
      if (part.length) commit();
      db.pragma('wal_checkpoint(TRUNCATE)');
      const cpu = process.cpuUsage(cpuBefore);
      const bytes = readWriteBytes(process.pid) - bytesBefore;
      console.log(
        `  ${((round + 1) * PER_ROUND).toLocaleString('en').padStart(9)} messages stored: ` +
          `${((cpu.user + cpu.system) / PER_ROUND).toFixed(1)} µs and ${(bytes / PER_ROUND).toFixed(0)} bytes per message of this round`,
      );
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const { value: [rounds = 20], rest } = takeWholeNumbers(process.argv.slice(2), '--rounds', 100, [20]);
const kinds = rest.includes('--ordered') ? (['ordered'] as const) : rest.includes('--random') ? (['random'] as const) : (['random', 'ordered'] as const);
for (const kind of kinds) run(kind, rounds);
