// Appending messages to the SQLite file, on the store's append connection: live
// chat:sends in group-commit batches, and bulk appendMessages.
import type Database from 'better-sqlite3';
import type { MessageKind } from '../../protocol/types';
import type { AppendResult, MessageRecord, NewMessage } from './types';
import type { LoggedMessage } from './sqlite-message-log';

export interface MessageRow {
  id: string;
  chat_id: string;
  seq: number;
  sender_id: string;
  body: string;
  client_msg_id: string;
  created_at: string;
  kind: MessageKind;
}

export const toMessage = (r: MessageRow): MessageRecord => ({
  id: r.id,
  chatId: r.chat_id,
  seq: r.seq,
  kind: r.kind,
  senderId: r.sender_id,
  body: r.body,
  // a membership entry's stored id only keeps it apart in the resend index
  clientMsgId: r.kind === 'text' ? r.client_msg_id : '',
  createdAt: r.created_at,
});

export type AppendOutcome = { ok: true; r: AppendResult } | { ok: false; error: string };

/** Opens a connection the way every store connection must be opened. */
export function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // every commit is on disk before it returns: an ack follows only a durable write
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Checkpoints (copying the WAL into the main file, with their own fsyncs) run on the
  // checkpointer thread, off the event loop; this high mark, well past the length at
  // which that thread restarts the WAL (sqlite-checkpointer.ts), is only a safety net
  // should that thread stop.
  db.pragma('wal_autocheckpoint = 65536');
}

/** SQLITE_BUSY and its variants: another connection holds the lock this one needs. */
export const isBusy = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

/**
 * A chat's last seq, its greatest message seq (migration 6), for the chat id that the SQL
 * expression `chatId` names: one descent of the (chat_id, seq) primary key to its last row.
 */
export const lastSeqOf = (chatId: string): string => `(SELECT COALESCE(MAX(seq), 0) FROM messages WHERE chat_id = ${chatId})`;
/** A chat's next seq, for the chat id bound to `?`. */
export const NEXT_SEQ = `(${lastSeqOf('?')} + 1)`;

export function createAppender(db: Database.Database) {
  const insertNext = db.prepare<unknown[], { seq: number }>(
    `INSERT INTO messages (id, chat_id, seq, sender_id, body, client_msg_id, created_at) VALUES (?, ?, ${NEXT_SEQ}, ?, ?, ?, ?) ON CONFLICT(chat_id, sender_id, client_msg_id) DO NOTHING RETURNING seq`,
  );
  const byClientId = db.prepare<[string, string, string], MessageRow>('SELECT * FROM messages WHERE chat_id = ? AND sender_id = ? AND client_msg_id = ?');

  /**
   * One append inside an open transaction. The insert takes the next seq and skips a
   * (chat, sender, clientMsgId) that exists, so the common case is one statement; only
   * a resend reads the original back. A chat that no longer exists fails the foreign key.
   */
  function appendOne(msg: NewMessage, id: string): AppendResult {
    const inserted = insertNext.get(id, msg.chatId, msg.chatId, msg.senderId, msg.body, msg.clientMsgId, msg.createdAt);
    if (inserted) return { message: { id, seq: inserted.seq, kind: 'text', ...msg }, duplicate: false };
    return { message: toMessage(byClientId.get(msg.chatId, msg.senderId, msg.clientMsgId)!), duplicate: true };
  }

  /**
   * Group commit: the whole batch in one transaction, in order. If it fails, it is
   * retried with a savepoint per message so one bad append (its chat was just deleted)
   * fails alone. Throws when the commit itself fails (disk full, I/O error), and when
   * the write lock is busy (isBusy), having written nothing.
   */
  function appendBatch(batch: readonly { msg: NewMessage; id: string }[]): AppendOutcome[] {
    try {
      // IMMEDIATE: the write lock is taken before the first statement, so "busy" can
      // only come first, never halfway through
      return db.transaction(() => batch.map((b) => ({ ok: true as const, r: appendOne(b.msg, b.id) }))).immediate();
    } catch (e) {
      if (isBusy(e)) throw e;
      return db.transaction(() =>
        batch.map((b): AppendOutcome => {
          try {
            return { ok: true, r: db.transaction(() => appendOne(b.msg, b.id))() };
          } catch (e) {
            return { ok: false, error: e instanceof Error ? e.message : String(e) };
          }
        }),
      ).immediate();
    }
  }

  const chatLastSeq = db.prepare<[string], { last_seq: number }>(`SELECT ${lastSeqOf('c.id')} AS last_seq FROM chats c WHERE c.id = ?`);

  /** The stored message this (chat, sender, clientMsgId) names, if any (the resend check). */
  function original(msg: NewMessage): MessageRecord | null {
    const row = byClientId.get(msg.chatId, msg.senderId, msg.clientMsgId);
    return row ? toMessage(row) : null;
  }

  const maxClientId = db.prepare<[string, string], string | null>('SELECT MAX(client_msg_id) FROM messages WHERE chat_id = ? AND sender_id = ?').pluck();

  /** The greatest clientMsgId stored for this chat and sender (one descent of the resend index); null: none. */
  function maxClientMsgId(chatId: string, senderId: string): string | null {
    return maxClientId.get(chatId, senderId) ?? null;
  }

  /** The chat's last seq as committed; null when there is no such chat. */
  function lastSeq(chatId: string): number | null {
    return chatLastSeq.get(chatId)?.last_seq ?? null;
  }

  return { appendOne, appendBatch, original, maxClientMsgId, lastSeq };
}

/**
 * Writes messages of the message log (sqlite-message-log.ts) into the tables, inside
 * the caller's transaction. Idempotent, as replaying a log must be: a (chat, seq) or
 * resend key already stored is skipped, and so is a message of a chat deleted since
 * (the chat's row is the truth of whether it exists). A chat's last seq is its greatest
 * message seq (migration 6), so nothing else is written.
 */
export function createApplier(db: Database.Database): (messages: readonly LoggedMessage[]) => void {
  const insert = db.prepare(
    'INSERT INTO messages (id, chat_id, seq, sender_id, body, client_msg_id, created_at) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM chats WHERE id = ?) ON CONFLICT DO NOTHING',
  );
  return (messages) => {
    for (const m of messages) insert.run(m.id, m.chatId, m.seq, m.senderId, m.body, m.clientMsgId, m.createdAt, m.chatId);
  };
}
