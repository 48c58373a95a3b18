// The embedded store: one SQLite file in DATA_DIR (better-sqlite3, WAL).
// synchronous=FULL makes every other commit durable before it returns. Appends, the
// hot path, are group-committed (sqlite-wal-sync.ts): the appends gathered while the
// previous flush ran commit in one transaction on their own connection, and resolve
// once an fdatasync of the WAL, off the event loop, has put them on disk. Commits start
// at most every COMMIT_INTERVAL_MS, so that under a steady load each carries several
// appends. WAL checkpoints run on a helper thread.
//
// A store with the DATA_DIR to itself (not `shared`; the relay's default, store/index.ts)
// makes appends durable in the message log instead (sqlite-message-log.ts): each batch
// is written once to the end of a preallocated file and fdatasync'd, seqs come from
// each chat's last seq kept in memory (right only while no other process writes the
// file: the DATA_DIR lock), and a thread (sqlite-log-applier.ts) puts the rows into the
// tables every APPLY_MS under load, or once appends pause. Why: a commit to SQLite
// writes a whole 4 KiB WAL frame for every page it touches, and the checkpoint copies
// it again; a page that receives many messages of its chat at once is written once for
// all of them. Until the rows are in, reads (history, chat records' lastSeq, resend
// checks) add what the log holds from memory, and transactions that take a seq from
// SQLite (acceptInvite, leaveChat) first apply what is logged of their chat, in their
// own transaction. Opening the store replays any log left behind into SQLite,
// whichever mode it opens in.
//
// Relays joined through Redis may share the file (`shared`), each process with its own
// connections. What keeps that correct: seq is taken from the chat row inside the
// append's write transaction, so the write lock orders commits in seq order across
// processes too; every transaction that reads and then writes is BEGIN IMMEDIATE (a
// deferred one that read first fails at once with SQLITE_BUSY_SNAPSHOT when another
// process wrote meanwhile, no busy wait); and a read that may see another process's
// appends waits for an fdatasync of the WAL begun after it (durableAfterRead).
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync, statfsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChatKind, InviteStatus, MessageKind } from '../../protocol/types';
import type { DataDirLock } from './data-dir-lock';
import { configure, createAppender, createApplier, isBusy, lastSeqOf, NEXT_SEQ, toMessage, type AppendOutcome, type MessageRow } from './sqlite-append';
import { decodeRecords, MessageLogFile, readLog, removeLog, Unapplied, type LoggedMessage } from './sqlite-message-log';
import { ResendBounds } from './resend-bounds';
import { migrate } from './sqlite-schema';
import { WalSync, type FlushGate } from './sqlite-wal-sync';
import { CheckpointerThread } from './sqlite-checkpointer-thread';
import { LogApplierThread } from './sqlite-log-applier-thread';
import type {
  AcceptOutcome,
  AcceptPlan,
  AppendResult,
  ChatRecord,
  CreateInviteOutcome,
  Credentials,
  FriendLists,
  FriendState,
  HistoryPage,
  HistoryQuery,
  InviteRecord,
  LeaveOutcome,
  MembershipRecord,
  MessageRecord,
  NewMessage,
  StaleRemoved,
  Store,
  UserRecord,
} from './types';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  created_at: string;
}
/** A chat row with its last seq, which is its greatest message seq (migration 6). */
const CHAT_COLUMNS = `c.id, c.kind, c.pair_key, c.created_at, c.member_key, ${lastSeqOf('c.id')} AS last_seq`;
interface ChatRow {
  id: string;
  kind: ChatKind;
  pair_key: string | null;
  created_at: string;
  last_seq: number;
  member_key: string;
}
interface InviteRow {
  id: string;
  from_id: string;
  to_id: string;
  chat_id: string | null;
  kind: ChatKind;
  target_key: string;
  member_ids: string;
  status: InviteStatus;
  created_at: string;
  expires_at: string;
}

const toUser = (r: UserRow): UserRecord => ({ id: r.id, username: r.username, displayName: r.display_name, createdAt: r.created_at });
const toInvite = (r: InviteRow): InviteRecord => ({
  id: r.id,
  fromId: r.from_id,
  toId: r.to_id,
  chatId: r.chat_id,
  kind: r.kind,
  targetKey: r.target_key,
  memberIds: JSON.parse(r.member_ids) as string[],
  status: r.status,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export const memberKey = (ids: readonly string[]): string => [...ids].sort().join(',');

/** How soon an append batch that found the write lock busy is tried again. */
const BUSY_RETRY_MS = 1;

/**
 * The least time from the start of one append commit to the start of the next. Under a
 * steady load, appends that come sooner wait and share the next commit: a commit and its
 * fdatasync have a cost of their own whatever they carry (waking a pool thread for the
 * flush and the event loop after it, SQLite's commit, the pages its appends share). In the
 * bench at 2,000 messages a second, 10 ms between commits took about 30 % off the relay's
 * CPU per message and a third off its bytes written, for about 8 ms more before the
 * median ack (bench/README.md). An append after a quiet spell commits on the next turn
 * of the event loop, as before.
 */
export const COMMIT_INTERVAL_MS = 10;

/** Below this much free disk, a store whose last commit failed still counts as failing. */
const MIN_FREE_BYTES = 1024 * 1024;

/**
 * How often logged messages are applied to SQLite under a steady load: the longer, the
 * more messages of a chat share each page written. Bytes written to apply them (WAL and
 * checkpoint), by messages per chat and apply, measured on our layout: 20 (every 1 s at
 * 2,000 msg/s over 100 chats) 7.2 KB a message, 100 (5 s) 2.2 KB, 300 (15 s) 1.2 KB,
 * 600 (30 s) 1.0 KB. Memory holds what waits, compactly (Unapplied), and a restart
 * replays it from the log.
 */
const APPLY_MS = 30_000;
/** ... or sooner once this many wait, so memory and the log stay bounded. */
const APPLY_MAX = 60_000;
/** ... or once appends have paused this long: what a burst left goes in while it is quiet. */
const APPLY_IDLE_MS = 1000;
/** Batches taken out of memory per event-loop turn once an apply is in (Unapplied.appliedThroughSome). */
const TRIM_PART = 100;
/** After an apply failed (disk full), how soon it is tried again, one message at a time. */
const APPLY_RETRY_MS = 250;
/** Segment length from which the log moves to its other segment (sqlite-message-log.ts). */
const WRAP_BYTES = 1 << 20;

/**
 * The message log, for a store not `shared` (the relay turns it on whenever it has the
 * DATA_DIR to itself: store/index.ts). It cuts the bytes written per message about
 * sevenfold at 2,000 msg/s (bench/README.md).
 */
export interface MessageLogOptions {
  enabled?: boolean;
  /** Tests: how soon the log is applied to SQLite under load and after a pause, and the segment length. */
  applyMs?: number;
  idleMs?: number;
  /** Tests: messages per transaction of an apply, about (sqlite-log-applier.ts). */
  applyChunk?: number;
  wrapBytes?: number;
}

const logEntryMessage = (e: LoggedMessage): MessageRecord => ({
  id: e.id,
  chatId: e.chatId,
  seq: e.seq,
  kind: 'text',
  senderId: e.senderId,
  body: e.body,
  clientMsgId: e.clientMsgId,
  createdAt: e.createdAt,
});

type Pending = { msg: NewMessage; id: string; resolve: (r: AppendResult) => void; reject: (e: unknown) => void };

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly q;
  /** Appends only: synchronous=NORMAL, made durable by `walSync`. */
  private readonly appendDb: Database.Database;
  private readonly appender: ReturnType<typeof createAppender>;
  private readonly walSync: WalSync;
  /** Exclusive mode only: the message log, its flush, and what SQLite does not hold yet. */
  private readonly log: { file: MessageLogFile; sync: WalSync; state: Unapplied; bounds: ResendBounds } | null;
  /** The flush that makes appends durable: the message log's, else the WAL's. */
  private readonly appendSync: WalSync;
  private readonly applyMain: (m: readonly LoggedMessage[]) => void;
  private readonly mainAppender: ReturnType<typeof createAppender>;
  private readonly applyMs: number;
  private readonly idleMs: number;
  private readonly applyChunk: number | undefined;
  private applyTimer: NodeJS.Timeout | null = null;
  /** Fires `idleMs` after the last write to the log; null once it has (appends have paused). */
  private idleTimer: NodeJS.Timeout | null = null;
  /** The last apply failed. */
  private applyFailed = false;
  /** Applies the message log to SQLite off the event loop. */
  private applier: LogApplierThread | null = null;
  /** The apply running on that thread. */
  private applying: Promise<void> | null = null;
  /** Held while that thread may hold SQLite's write lock (applierIdle). */
  private readonly applierGate = new ApplierGate();
  private checkpointer: CheckpointerThread | null = null;
  private pending: Pending[] = [];
  private flushScheduled = false;
  /** performance.now() when the last append commit started. */
  private lastCommitAt = -Infinity;
  /** An fdatasync for committed appends is running. */
  private syncing = false;
  /** Settles once every append committed so far is on disk (or its flush failed). */
  private durable: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set when a commit fails (e.g. disk full); cleared once writing works again. */
  private lastWriteError: unknown = null;

  constructor(
    private readonly file: string,
    /** Other relay processes write the file too. */
    private readonly shared = false,
    /** Released on close. */
    private readonly lock: DataDirLock | null = null,
    durability: WalDurability = {},
    tuning: MessageLogOptions = {},
  ) {
    this.db = new Database(file);
    configure(this.db);
    migrate(this.db);
    this.applyMain = createApplier(this.db);
    this.mainAppender = createAppender(this.db);
    // Whatever a relay before this one logged goes into the tables first, durably
    // (synchronous=FULL); then the log is removed. In shared mode too: the last relay on
    // this DATA_DIR may have had it to itself.
    const logFile = `${file}-msglog`;
    const found = readLog(logFile);
    if (found.messages.length) {
      this.db.transaction(() => this.applyMain(found.messages)).immediate();
      // an exclusive store makes them anew anyway; a shared one must not replay them again later
      removeLog(logFile);
    }
    this.appendDb = new Database(file);
    configure(this.appendDb);
    this.appendDb.pragma('synchronous = NORMAL');
    // Never wait for a lock on the event loop: when the checkpointer holds the write
    // lock, a batch is put back and retried a moment later (flush).
    this.appendDb.pragma('busy_timeout = 0');
    this.appender = createAppender(this.appendDb);
    this.applyMs = tuning.applyMs ?? APPLY_MS;
    this.idleMs = tuning.idleMs ?? APPLY_IDLE_MS;
    this.applyChunk = tuning.applyChunk;
    const onFatal = durability.onFatal ?? stopOnFlushFailure;
    if (shared || !tuning.enabled) {
      this.log = null;
      this.walSync = new WalSync(`${file}-wal`, onFatal, durability.flushGate ?? null);
      this.appendSync = this.walSync;
    } else {
      // acknowledgements wait for the log's flush, so that one has the gate; the log's
      // rows reach the tables durably (synchronous=FULL) on the applier thread
      this.walSync = new WalSync(`${file}-wal`, onFatal, null);
      const segments = new MessageLogFile(logFile, tuning.wrapBytes ?? WRAP_BYTES, found.epochs);
      this.log = { file: segments, sync: new WalSync(() => segments.fd, onFatal, durability.flushGate ?? null), state: new Unapplied(), bounds: new ResendBounds() };
      this.appendSync = this.log.sync;
      // A relay (it opens the store with its DATA_DIR lock) starts the applier thread
      // now, long before its first client has connected: the thread's start (it
      // compiles its TypeScript) takes a few hundred ms of CPU, which in the middle of a
      // stream of appends delays them all. Tools and tests start it with the first append.
      if (lock) this.applier = new LogApplierThread(file, tuning.applyChunk);
    }
    const db = this.db;
    // Prepared once: every hot statement is compiled at start-up, never per call.
    this.q = {
      insertUser: db.prepare('INSERT INTO users (id, username, display_name, password_hash, salt, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(username) DO NOTHING'),
      credentials: db.prepare<[string], UserRow & { password_hash: string; salt: string }>('SELECT * FROM users WHERE username = ?'),
      userByName: db.prepare<[string], UserRow>('SELECT id, username, display_name, created_at FROM users WHERE username = ?'),
      userById: db.prepare<[string], UserRow>('SELECT id, username, display_name, created_at FROM users WHERE id = ?'),
      insertToken: db.prepare('INSERT INTO tokens (hash, user_id, expires_at) VALUES (?, ?, ?)'),
      findToken: db.prepare<[string, string], { user_id: string }>('SELECT user_id FROM tokens WHERE hash = ? AND expires_at > ?'),
      deleteToken: db.prepare('DELETE FROM tokens WHERE hash = ?'),
      isFriend: db.prepare<[string, string], { x: number }>('SELECT 1 AS x FROM friendships WHERE user_id = ? AND friend_id = ?'),
      hasRequest: db.prepare<[string, string], { x: number }>('SELECT 1 AS x FROM friend_requests WHERE from_id = ? AND to_id = ?'),
      addRequest: db.prepare('INSERT INTO friend_requests (from_id, to_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      removeRequest: db.prepare('DELETE FROM friend_requests WHERE from_id = ? AND to_id = ?'),
      addFriendship: db.prepare('INSERT INTO friendships (user_id, friend_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      removeFriendship: db.prepare('DELETE FROM friendships WHERE user_id = ? AND friend_id = ?'),
      friends: db.prepare<[string], { friend_id: string }>('SELECT friend_id FROM friendships WHERE user_id = ? ORDER BY created_at'),
      incoming: db.prepare<[string], { from_id: string }>('SELECT from_id FROM friend_requests WHERE to_id = ? ORDER BY created_at'),
      outgoing: db.prepare<[string], { to_id: string }>('SELECT to_id FROM friend_requests WHERE from_id = ? ORDER BY created_at'),
      chat: db.prepare<[string], ChatRow>(`SELECT ${CHAT_COLUMNS} FROM chats c WHERE id = ?`),
      chatByPair: db.prepare<[string], ChatRow>(`SELECT ${CHAT_COLUMNS} FROM chats c WHERE pair_key = ?`),
      chatByMembers: db.prepare<[string], ChatRow>(`SELECT ${CHAT_COLUMNS} FROM chats c WHERE member_key = ? AND member_key <> '' ORDER BY created_at LIMIT 1`),
      memberIds: db.prepare<[string], { user_id: string }>('SELECT user_id FROM members WHERE chat_id = ? ORDER BY joined'),
      insertChat: db.prepare('INSERT INTO chats (id, kind, pair_key, created_at) VALUES (?, ?, ?, ?)'),
      addMember: db.prepare("INSERT INTO members (chat_id, user_id, joined) VALUES (?, ?, (SELECT COALESCE(MAX(joined), 0) + 1 FROM members WHERE chat_id = ?)) ON CONFLICT DO NOTHING"),
      removeMember: db.prepare('DELETE FROM members WHERE chat_id = ? AND user_id = ?'),
      setMemberKey: db.prepare('UPDATE chats SET member_key = ? WHERE id = ?'),
      deleteChat: db.prepare('DELETE FROM chats WHERE id = ?'),
      chatsOf: db.prepare<[string], ChatRow & { read_seq: number | null }>(
        `SELECT ${CHAT_COLUMNS}, r.read_seq FROM members m JOIN chats c ON c.id = m.chat_id LEFT JOIN reads r ON r.chat_id = m.chat_id AND r.user_id = m.user_id WHERE m.user_id = ? ORDER BY c.created_at`,
      ),
      markRead: db.prepare(
        'INSERT INTO reads (chat_id, user_id, read_seq) VALUES (?, ?, ?) ON CONFLICT(chat_id, user_id) DO UPDATE SET read_seq = MAX(read_seq, excluded.read_seq)',
      ),
      readSeq: db.prepare<[string, string], { read_seq: number }>('SELECT read_seq FROM reads WHERE chat_id = ? AND user_id = ?'),
      latest: db.prepare<[string, number], MessageRow>('SELECT * FROM messages WHERE chat_id = ? ORDER BY seq DESC LIMIT ?'),
      before: db.prepare<[string, number, number], MessageRow>('SELECT * FROM messages WHERE chat_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
      after: db.prepare<[string, number, number], MessageRow>('SELECT * FROM messages WHERE chat_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?'),
      insertInvite: db.prepare(
        'INSERT INTO invites (id, from_id, to_id, chat_id, kind, target_key, member_ids, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      invite: db.prepare<[string], InviteRow>('SELECT * FROM invites WHERE id = ?'),
      pendingInvite: db.prepare<[string, string, string], InviteRow>("SELECT * FROM invites WHERE from_id = ? AND to_id = ? AND target_key = ? AND status = 'pending' LIMIT 1"),
      pendingTo: db.prepare<[string], InviteRow>("SELECT * FROM invites WHERE to_id = ? AND status = 'pending' ORDER BY created_at"),
      pendingFrom: db.prepare<[string], InviteRow>("SELECT * FROM invites WHERE from_id = ? AND status = 'pending' ORDER BY created_at"),
      pendingByTarget: db.prepare<[string], InviteRow>("SELECT * FROM invites WHERE target_key = ? AND status = 'pending' ORDER BY created_at"),
      closeInvite: db.prepare("UPDATE invites SET status = ? WHERE id = ? AND status = 'pending'"),
      staleTokens: db.prepare('DELETE FROM tokens WHERE expires_at <= ?'),
      staleInvites: db.prepare("DELETE FROM invites WHERE status <> 'pending' AND expires_at < ?"),
      dueInvites: db.prepare<[string], InviteRow>("SELECT * FROM invites WHERE status = 'pending' AND expires_at <= ?"),
      nextSeq: db.prepare<[string], { seq: number }>(`SELECT ${NEXT_SEQ} AS seq`),
      insertEntry: db.prepare('INSERT INTO messages (id, chat_id, seq, kind, sender_id, body, client_msg_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      ping: db.prepare("INSERT INTO health (id, checked_at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET checked_at = excluded.checked_at"),
    };
  }

  /**
   * Waits (off the event loop) while the log applier thread may hold SQLite's write
   * lock (ApplierGate). Every write on the main connection calls this first. The gate
   * is only taken by this thread's timers and between two turns of the event loop, so
   * it cannot be taken between this promise settling and the caller's synchronous write.
   */
  private async applierIdle(): Promise<void> {
    await this.applierGate.idle();
  }

  /** The chat's last seq, counting messages logged but not yet in its row. */
  private lastSeqWithLog(row: ChatRow): number {
    const logged = this.log?.state.lastSeq.get(row.id);
    return logged !== undefined && logged > row.last_seq ? logged : row.last_seq;
  }

  private chatRecord(row: ChatRow): ChatRecord {
    return {
      id: row.id,
      kind: row.kind,
      pairKey: row.pair_key,
      createdAt: row.created_at,
      lastSeq: this.lastSeqWithLog(row),
      memberIds: this.q.memberIds.all(row.id).map((r) => r.user_id),
    };
  }

  private chatById(chatId: string): ChatRecord | null {
    const row = this.q.chat.get(chatId);
    return row ? this.chatRecord(row) : null;
  }

  private refreshMemberKey(chatId: string): ChatRecord | null {
    const chat = this.chatById(chatId);
    if (chat) this.q.setMemberKey.run(memberKey(chat.memberIds), chatId);
    return chat;
  }

  async createUser(user: UserRecord, passwordHash: string, salt: string): Promise<UserRecord | null> {
    if (this.applying) await this.applierIdle();
    const r = this.q.insertUser.run(user.id, user.username, user.displayName, passwordHash, salt, user.createdAt);
    return r.changes === 1 ? user : null;
  }

  async getCredentials(username: string): Promise<Credentials | null> {
    const row = this.q.credentials.get(username);
    return row ? { user: toUser(row), passwordHash: row.password_hash, salt: row.salt } : null;
  }

  async getUserByUsername(username: string): Promise<UserRecord | null> {
    const row = this.q.userByName.get(username);
    return row ? toUser(row) : null;
  }

  async getUsers(ids: readonly string[]): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const id of ids) {
      const row = this.q.userById.get(id);
      if (row) out.push(toUser(row));
    }
    return out;
  }

  async createToken(tokenHash: string, userId: string, expiresAt: string): Promise<void> {
    if (this.applying) await this.applierIdle();
    this.q.insertToken.run(tokenHash, userId, expiresAt);
  }

  async findToken(tokenHash: string, now: string): Promise<string | null> {
    return this.q.findToken.get(tokenHash, now)?.user_id ?? null;
  }

  async deleteToken(tokenHash: string): Promise<boolean> {
    if (this.applying) await this.applierIdle();
    return this.q.deleteToken.run(tokenHash).changes > 0;
  }

  async friendState(userId: string, otherId: string): Promise<FriendState> {
    if (this.q.isFriend.get(userId, otherId)) return 'friends';
    if (this.q.hasRequest.get(userId, otherId)) return 'outgoing';
    if (this.q.hasRequest.get(otherId, userId)) return 'incoming';
    return 'none';
  }

  async addFriendRequest(fromId: string, toId: string): Promise<void> {
    if (this.applying) await this.applierIdle();
    this.q.addRequest.run(fromId, toId, new Date().toISOString());
  }

  async removeFriendRequest(fromId: string, toId: string): Promise<boolean> {
    if (this.applying) await this.applierIdle();
    return this.q.removeRequest.run(fromId, toId).changes > 0;
  }

  async makeFriends(a: string, b: string): Promise<void> {
    if (this.applying) await this.applierIdle();
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.q.removeRequest.run(a, b);
      this.q.removeRequest.run(b, a);
      this.q.addFriendship.run(a, b, now);
      this.q.addFriendship.run(b, a, now);
    }).immediate();
  }

  async removeFriendship(a: string, b: string): Promise<boolean> {
    if (this.applying) await this.applierIdle();
    return this.db.transaction(() => {
      const n = this.q.removeFriendship.run(a, b).changes;
      this.q.removeFriendship.run(b, a);
      return n > 0;
    }).immediate();
  }

  async friendLists(userId: string): Promise<FriendLists> {
    return {
      friendIds: this.q.friends.all(userId).map((r) => r.friend_id),
      incomingIds: this.q.incoming.all(userId).map((r) => r.from_id),
      outgoingIds: this.q.outgoing.all(userId).map((r) => r.to_id),
    };
  }

  async friendIds(userId: string): Promise<string[]> {
    return this.q.friends.all(userId).map((r) => r.friend_id);
  }

  async getChat(chatId: string): Promise<ChatRecord | null> {
    return this.chatById(chatId);
  }

  async findDirectChat(pairKey: string): Promise<ChatRecord | null> {
    const row = this.q.chatByPair.get(pairKey);
    return row ? this.chatRecord(row) : null;
  }

  async createChat(chat: { id: string; kind: ChatKind; pairKey: string | null; createdAt: string }, memberIds: string[]): Promise<ChatRecord> {
    if (this.applying) await this.applierIdle();
    return this.db.transaction(() => {
      const existing = chat.pairKey ? this.q.chatByPair.get(chat.pairKey) : undefined;
      const id = existing ? existing.id : chat.id;
      if (!existing) this.q.insertChat.run(chat.id, chat.kind, chat.pairKey, chat.createdAt);
      for (const u of memberIds) this.q.addMember.run(id, u, id);
      return this.refreshMemberKey(id)!;
    }).immediate();
  }

  async addMembers(chatId: string, userIds: string[]): Promise<ChatRecord | null> {
    if (this.applying) await this.applierIdle();
    return this.db.transaction(() => {
      if (!this.q.chat.get(chatId)) return null;
      for (const u of userIds) this.q.addMember.run(chatId, u, chatId);
      return this.refreshMemberKey(chatId);
    }).immediate();
  }

  async removeMember(chatId: string, userId: string): Promise<ChatRecord | null> {
    if (this.applying) await this.applierIdle();
    return this.db.transaction(() => {
      if (this.q.removeMember.run(chatId, userId).changes === 0) return null;
      return this.refreshMemberKey(chatId);
    }).immediate();
  }

  async deleteChat(chatId: string): Promise<void> {
    if (this.applying) await this.applierIdle();
    // messages, members and reads go with it (ON DELETE CASCADE); logged ones are
    // dropped (a replay skips them too: their chat is gone)
    this.q.deleteChat.run(chatId);
    this.log?.state.drop(chatId);
    this.log?.bounds.drop(chatId);
  }

  /**
   * A write transaction on the main connection that first applies what the log holds
   * of `chats` (every chat: 'all'), for transactions that take seqs from SQLite (a
   * chat's greatest seq) or must see every message of those chats. Those chats are
   * settled only once it has committed (a rolled-back one applied nothing). It may
   * wait, on the event loop, for the checkpointer's RESTART, as every write on this
   * connection may; they are rare (joining, leaving).
   */
  private writeTxn<T>(chats: readonly string[] | 'all', fn: () => T): T {
    const state = this.log?.state;
    if (!state) return this.db.transaction(fn).immediate();
    const through = state.endPos;
    const r = this.db
      .transaction(() => {
        if (chats === 'all') for (const records of state.held().records) this.applyMain(decodeRecords(records));
        else for (const c of chats) if (state.countOf(c) > 0) this.applyMain(state.ofChat(c));
        return fn();
      })
      .immediate();
    // Committed, with synchronous=FULL: on disk too. SQLite's greatest seq is these
    // chats' truth again, also for a chat whose messages had all been applied before:
    // its last seq in memory would not count an entry this transaction numbered.
    if (chats === 'all') state.appliedThrough(through);
    else for (const c of chats) state.settled(c);
    // what fn wrote to these chats did not go through the log
    this.log!.bounds.unprobe(chats);
    return r;
  }

  /** Whether the chat exists with exactly this member set (in any order). */
  private unchanged(basis: { chatId: string; memberIds: readonly string[] }): ChatRecord | null {
    const chat = this.chatById(basis.chatId);
    return chat && memberKey(chat.memberIds) === memberKey(basis.memberIds) ? chat : null;
  }

  // The rules that read several records and then write are single write transactions
  // (BEGIN IMMEDIATE): SQLite's write lock orders them across every process on the file.

  async acceptInvite(plan: AcceptPlan): Promise<AcceptOutcome> {
    if (this.applying) await this.applierIdle();
    const r = this.writeTxn(plan.into ? [plan.into.chatId] : [], (): AcceptOutcome => {
      const row = this.q.invite.get(plan.inviteId);
      // gone (housekeeping removed it once closed): planning again answers not_found
      if (!row) return { outcome: 'stale' };
      const invite = toInvite(row);
      if (invite.status !== 'pending') return { outcome: 'closed', status: invite.status };
      if (invite.expiresAt <= plan.now) {
        this.q.closeInvite.run('expired', invite.id);
        return { outcome: 'expired', invite: { ...invite, status: 'expired' } };
      }
      let before: string[] = [];
      if (plan.into) {
        const chat = this.unchanged(plan.into);
        if (!chat) return { outcome: 'stale' };
        before = chat.memberIds;
      } else if (!plan.create || (plan.create.pairKey !== null && this.q.chatByPair.get(plan.create.pairKey))) return { outcome: 'stale' };
      if (plan.forkedFrom && !this.unchanged(plan.forkedFrom)) return { outcome: 'stale' };
      const existing = this.q.chatByMembers.get(memberKey(plan.memberIds));
      if (existing) {
        this.q.closeInvite.run('cancelled', invite.id);
        return { outcome: 'duplicate', chatId: existing.id, invite: { ...invite, status: 'cancelled' } };
      }
      this.q.closeInvite.run('accepted', invite.id);
      const chatId = plan.into ? plan.into.chatId : plan.create!.id;
      if (!plan.into) this.q.insertChat.run(chatId, plan.create!.kind, plan.create!.pairKey, plan.create!.createdAt);
      for (const u of plan.memberIds) this.q.addMember.run(chatId, u, chatId);
      const chat = this.refreshMemberKey(chatId)!;
      // who joins a chat that existed already gets an entry; the founders of a new one do not
      const joined = plan.into ? chat.memberIds.filter((id) => !before.includes(id)) : [];
      const entries = joined.map((id) => this.appendEntry(chat, 'joined', id, plan.now));
      return { outcome: 'accepted', chat: { ...chat, lastSeq: chat.lastSeq + entries.length }, before, entries };
    });
    return r;
  }

  /**
   * A membership entry, inside the caller's transaction. A member who had read
   * everything before it has read it too: an entry is never unread.
   */
  private appendEntry(chat: ChatRecord, kind: Exclude<MessageKind, 'text'>, userId: string, at: string): MessageRecord {
    const id = randomUUID();
    const seq = this.q.nextSeq.get(chat.id)!.seq;
    this.q.insertEntry.run(id, chat.id, seq, kind, userId, '', `${kind}:${id}`, at);
    for (const member of chat.memberIds) if ((this.q.readSeq.get(chat.id, member)?.read_seq ?? 0) === seq - 1) this.q.markRead.run(chat.id, member, seq);
    return { id, chatId: chat.id, seq, kind, senderId: userId, body: '', clientMsgId: '', createdAt: at };
  }

  async leaveChat(chatId: string, userId: string, now: string): Promise<LeaveOutcome | null> {
    if (this.applying) await this.applierIdle();
    const r = this.writeTxn([chatId], (): LeaveOutcome | null => {
      if (this.q.removeMember.run(chatId, userId).changes === 0) return null;
      const chat = this.refreshMemberKey(chatId)!;
      const deleted = chat.kind === 'group' && chat.memberIds.length === 0;
      const targets = chat.pairKey ? [`chat:${chatId}`, `pair:${chat.pairKey}`] : [`chat:${chatId}`];
      const cancelled: InviteRecord[] = [];
      for (const target of targets) {
        for (const row of this.q.pendingByTarget.all(target)) {
          // the leaver's own invites toward the chat; every invite into a deleted group
          if (row.from_id !== userId && !(deleted && target === `chat:${chatId}`)) continue;
          this.q.closeInvite.run('cancelled', row.id);
          cancelled.push({ ...toInvite(row), status: 'cancelled' });
        }
      }
      // messages, members and reads go with it (ON DELETE CASCADE)
      if (deleted) this.q.deleteChat.run(chatId);
      const entry = deleted ? null : this.appendEntry(chat, 'left', userId, now);
      return { chat: entry ? { ...chat, lastSeq: entry.seq } : chat, deleted, cancelled, entry };
    });
    if (r?.deleted) {
      this.log?.state.drop(chatId);
      this.log?.bounds.drop(chatId);
    }
    return r;
  }

  async chatsOf(userId: string): Promise<MembershipRecord[]> {
    const durable = this.durableAfterRead(); // lastSeq may count appends still being flushed
    const list = this.q.chatsOf.all(userId).map((row) => ({ chat: this.chatRecord(row), readSeq: row.read_seq ?? 0 }));
    await durable();
    return list;
  }

  /**
   * Call before a read of appended rows; the function it returns settles once what that
   * read saw is on disk. This process's own appends: the flush already under way. With
   * other processes appending too, their commits are in the WAL but maybe not yet on
   * disk: an fdatasync of the WAL begun after the read covers them.
   */
  private durableAfterRead(): () => Promise<void> {
    if (!this.shared) {
      const durable = this.durable;
      return () => durable;
    }
    return () =>
      this.walSync.sync().catch((e: unknown) => {
        // no WAL file yet: no process has appended anything, so nothing waits for disk
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      });
  }

  async findChatByMembers(memberIds: readonly string[]): Promise<ChatRecord | null> {
    const row = this.q.chatByMembers.get(memberKey(memberIds));
    return row ? this.chatRecord(row) : null;
  }

  async markRead(chatId: string, userId: string, seq: number): Promise<number> {
    if (this.applying) await this.applierIdle();
    return this.db.transaction(() => {
      const chat = this.q.chat.get(chatId);
      if (!chat) return 0;
      this.q.markRead.run(chatId, userId, Math.min(seq, this.lastSeqWithLog(chat)));
      return this.q.readSeq.get(chatId, userId)?.read_seq ?? 0;
    }).immediate();
  }

  async getReadSeq(chatId: string, userId: string): Promise<number> {
    return this.q.readSeq.get(chatId, userId)?.read_seq ?? 0;
  }

  appendMessage(msg: NewMessage, id: string): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('store closed'));
      this.pending.push({ msg, id, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    // While a flush to disk runs, appends wait and commit together when it is done:
    // they could not be durable sooner (only a flush that starts after their commit
    // covers them), and one commit of many writes fewer pages than many of few.
    if (this.flushScheduled || this.syncing) return;
    this.flushScheduled = true;
    const run = () => {
      // a timer counts from the event loop's clock, read when this turn began, so it
      // may fire up to a millisecond or so early
      if (this.nextCommitIn() > 0) return void setTimeout(run, this.nextCommitIn());
      this.flushScheduled = false;
      this.flush();
    };
    if (this.nextCommitIn() > 0) setTimeout(run, this.nextCommitIn());
    // setImmediate: every chat:send read from the sockets in this turn of the event
    // loop joins the same transaction
    else setImmediate(run);
  }

  /** Milliseconds until the next append commit may start (COMMIT_INTERVAL_MS); 0 or less: now. */
  private nextCommitIn(): number {
    return this.lastCommitAt + COMMIT_INTERVAL_MS - performance.now();
  }

  /** Commits everything gathered so far as one transaction, in call order. */
  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.checkpointer ??= new CheckpointerThread(this.file);
    this.lastCommitAt = performance.now();
    if (this.log) {
      this.applier ??= new LogApplierThread(this.file, this.applyChunk);
      return this.flushToLog(batch, this.log);
    }
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.appender.appendBatch(batch);
    } catch (e) {
      if (isBusy(e)) return this.retrySoon(batch);
      // the commit itself failed (disk full, I/O error): nothing in the batch is stored
      this.lastWriteError = e;
      for (const p of batch) p.reject(e);
      return;
    }
    this.settleWhenDurable(batch, outcomes);
  }

  /**
   * Exclusive mode: the batch's new messages take their seqs from memory and go to the
   * end of the message log in one write; its fdatasync acknowledges them. A resend is
   * looked up in what the log holds, then in SQLite; an append to a chat that no longer
   * exists fails alone.
   */
  private flushToLog(batch: Pending[], log: NonNullable<SqliteStore['log']>): void {
    const { state, file, bounds } = log;
    const seqs = new Map<string, number>();
    const inBatch = new Map<string, MessageRecord>();
    const outcomes: AppendOutcome[] = [];
    const entries: LoggedMessage[] = [];
    try {
      for (const { msg, id } of batch) {
        const key = `${msg.chatId}\n${msg.senderId}\n${msg.clientMsgId}`;
        const logged = state.find(msg.chatId, msg.senderId, msg.clientMsgId);
        const original = inBatch.get(key) ?? (logged ? logEntryMessage(logged) : this.storedOriginal(msg, bounds));
        if (original) {
          outcomes.push({ ok: true, r: { message: original, duplicate: true } });
          continue;
        }
        const last = seqs.get(msg.chatId) ?? state.lastSeq.get(msg.chatId) ?? this.appender.lastSeq(msg.chatId);
        if (last === null) {
          outcomes.push({ ok: false, error: `no chat ${msg.chatId}` });
          continue;
        }
        const seq = last + 1;
        seqs.set(msg.chatId, seq);
        entries.push({ id, chatId: msg.chatId, seq, senderId: msg.senderId, body: msg.body, clientMsgId: msg.clientMsgId, createdAt: msg.createdAt });
        const message: MessageRecord = { id, seq, kind: 'text', ...msg };
        inBatch.set(key, message);
        bounds.noteAppended(msg.chatId, msg.senderId, msg.clientMsgId);
        outcomes.push({ ok: true, r: { message, duplicate: false } });
      }
      if (entries.length) {
        file.maybeSwitch(state.durablePos);
        const written = file.write(entries);
        state.add(written, entries);
        this.scheduleApply(state.size >= APPLY_MAX ? 0 : this.applyMs);
        if (this.idleTimer) this.idleTimer.refresh();
        else this.idleTimer = setTimeout(() => {
          this.idleTimer = null;
          this.scheduleApply(0);
        }, this.idleMs);
      }
    } catch (e) {
      // the log could not grow (disk full): nothing of the batch counts as written
      this.lastWriteError = e;
      for (const p of batch) p.reject(e);
      return;
    }
    this.settleWhenDurable(batch, outcomes);
  }

  /** The message SQLite holds under this one's clientMsgId, looked up only when its id is not above the sender's bound. */
  private storedOriginal(msg: NewMessage, bounds: ResendBounds): MessageRecord | null {
    const isNew = bounds.isNew(msg.chatId, msg.senderId, msg.clientMsgId, () => this.appender.maxClientMsgId(msg.chatId, msg.senderId));
    return isNew ? null : this.appender.original(msg);
  }

  private scheduleApply(ms: number): void {
    if (this.applyTimer) {
      if (ms > 0) return;
      clearTimeout(this.applyTimer);
    }
    this.applyTimer = setTimeout(() => {
      this.applyTimer = null;
      this.applyLogged();
    }, ms);
  }

  /**
   * Hands what the log holds to the applier thread, which commits it to SQLite in
   * transactions of whole chats and flushes them; once it has, those records leave
   * memory and the log may reuse their space. Reads meanwhile may find some of them in
   * both places (readHistory).
   */
  private applyLogged(): void {
    const log = this.log;
    if (!log || log.state.size === 0 || this.applying) return;
    const gate = this.applierGate;
    gate.hold();
    let running = true;
    // Between two of its transactions the thread waits while writes that were waiting
    // for it run: they resume in the microtasks after the release, before the next
    // turn of the event loop, where the gate is held again and the thread goes on
    // (unless it stopped meanwhile: then nothing may hold the gate again).
    const paused = () => {
      gate.release();
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          if (running) gate.hold();
          resolve();
        }),
      );
    };
    // After a failure (disk full), one message per transaction until all are in: a
    // failed transaction leaves its WAL frames free for the next writes, and a large
    // one would leave room for small writes (an account, a token) on a disk that has
    // none, where every other write fails.
    const req = (this.applier ??= new LogApplierThread(this.file, this.applyChunk)).apply({ ...log.state.held(), oneByOne: this.applyFailed }, paused);
    void req.then(() => {
      running = false;
      gate.release();
    });
    this.applying = req.then(async (r) => {
      // out of memory some batches per event-loop turn; until then reads may find a
      // message both there and in the tables, as they may while the thread applies
      if (r.done >= 0) while (!log.state.appliedThroughSome(r.done, TRIM_PART)) await new Promise((res) => setImmediate(res));
      this.applying = null;
      // all that was logged is in the tables: bounds read from them from now on cover it
      if (log.state.size === 0) log.bounds.clear();
      this.applyFailed = r.error !== undefined;
      if (r.error !== undefined) {
        // the disk is full (the log keeps everything meanwhile, and reads see it from
        // memory), or the thread stopped
        this.lastWriteError = new Error(r.error);
        if (!this.closed) this.scheduleApply(Math.min(this.applyMs, APPLY_RETRY_MS));
      } else if (log.state.size && !this.closed) this.scheduleApply(log.state.size >= APPLY_MAX || !this.idleTimer ? 0 : this.applyMs);
    });
  }

  /** The checkpointer holds the write lock for a moment: nothing was written, so the
   * batch goes back in front of what came since, and is tried again shortly. */
  private retrySoon(batch: Pending[]): void {
    this.pending = batch.concat(this.pending);
    this.flushScheduled = true;
    setTimeout(() => {
      this.flushScheduled = false;
      this.flush();
    }, BUSY_RETRY_MS);
  }

  /** Answers the batch once an fdatasync that began after its commit has ended. */
  private settleWhenDurable(batch: Pending[], outcomes: AppendOutcome[]): void {
    const synced = this.appendSync.sync();
    this.durable = synced.catch(() => undefined);
    this.syncing = true;
    void this.durable.then(() => {
      this.syncing = false;
      // these appends have waited for this flush already: at once, not on the next
      // turn, unless the last commit began less than the interval ago
      if (this.pending.length === 0) return;
      if (this.nextCommitIn() <= 0) this.flush();
      else this.scheduleFlush();
    });
    synced.then(
      () => {
        this.lastWriteError = null;
        batch.forEach((p, i) => {
          const o = outcomes[i]!;
          if (o.ok) p.resolve(o.r);
          else p.reject(new Error(o.error));
        });
      },
      (e: unknown) => {
        // Committed but perhaps not on disk: refused, so the sender resends; the resend
        // finds the original by its clientMsgId.
        this.lastWriteError = e;
        for (const p of batch) p.reject(e);
      },
    );
  }

  async appendMessages(batch: { msg: NewMessage; id: string }[]): Promise<AppendResult[]> {
    if (this.applying) await this.applierIdle();
    if (this.log) {
      // bulk (seeding): one durable transaction on the main connection, after what is logged
      return this.writeTxn([...new Set(batch.map((b) => b.msg.chatId))], () => batch.map((b) => this.mainAppender.appendOne(b.msg, b.id)));
    }
    const append = this.appendDb.transaction(() => batch.map((b) => this.appender.appendOne(b.msg, b.id)));
    let results: AppendResult[];
    for (;;) {
      try {
        results = append.immediate();
        break;
      } catch (e) {
        if (!isBusy(e)) throw e;
        await new Promise((r) => setTimeout(r, BUSY_RETRY_MS));
      }
    }
    const synced = this.walSync.sync();
    this.durable = synced.catch(() => undefined);
    await synced;
    return results;
  }

  async history(chatId: string, q: HistoryQuery): Promise<HistoryPage> {
    // what is read here may include appends still being flushed: answered once they are
    // on disk, so no reader ever sees a message a power cut could take back
    const durable = this.durableAfterRead();
    const page = this.readHistory(chatId, q);
    await durable();
    return page;
  }

  private readHistory(chatId: string, q: HistoryQuery): HistoryPage {
    const n = q.limit + 1;
    const state = this.log?.state;
    const held = state?.countOf(chatId) ?? 0;
    const heldAt = (i: number): MessageRecord => logEntryMessage(state!.at(chatId, i));
    /** Index of the first message held with a seq above `seq` (they are in seq order). */
    const firstAbove = (seq: number): number => {
      let lo = 0;
      let hi = held;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (state!.at(chatId, mid).seq > seq) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    if (q.after !== undefined) {
      const all = this.q.after.all(chatId, q.after, n).map(toMessage);
      // messages held come after the chat's rows, except those the applier thread has
      // put in already (a chat's are applied in one transaction, so a prefix of them)
      const top = all.length ? all[all.length - 1]!.seq : q.after;
      for (let i = held && all.length < n ? firstAbove(top) : held; i < held && all.length < n; i++) all.push(heldAt(i));
      return { messages: all.slice(0, q.limit), hasMore: all.length > q.limit };
    }
    // newest first: the ones held below `before`, then rows below the oldest of them
    const all: MessageRecord[] = [];
    for (let i = (q.before === undefined || held === 0 ? held : firstAbove(q.before - 1)) - 1; i >= 0 && all.length < n; i--) all.push(heldAt(i));
    if (all.length < n) {
      const below = all.length ? all[all.length - 1]!.seq : q.before;
      const rows = below !== undefined ? this.q.before.all(chatId, below, n - all.length) : this.q.latest.all(chatId, n - all.length);
      for (const r of rows) all.push(toMessage(r));
    }
    return { messages: all.slice(0, q.limit).reverse(), hasMore: all.length > q.limit };
  }

  async createInvite(i: InviteRecord): Promise<CreateInviteOutcome> {
    if (this.applying) await this.applierIdle();
    return this.db.transaction((): CreateInviteOutcome => {
      if (i.chatId !== null && !this.chatById(i.chatId)?.memberIds.includes(i.fromId)) return 'gone';
      // the unique index invites_one_pending holds this too; asked first so the answer is plain
      if (i.status === 'pending' && this.q.pendingInvite.get(i.fromId, i.toId, i.targetKey)) return 'already_invited';
      this.q.insertInvite.run(i.id, i.fromId, i.toId, i.chatId, i.kind, i.targetKey, JSON.stringify(i.memberIds), i.status, i.createdAt, i.expiresAt);
      return 'created';
    }).immediate();
  }

  async getInvite(inviteId: string): Promise<InviteRecord | null> {
    const row = this.q.invite.get(inviteId);
    return row ? toInvite(row) : null;
  }

  async findPendingInvite(fromId: string, toId: string, targetKey: string): Promise<InviteRecord | null> {
    const row = this.q.pendingInvite.get(fromId, toId, targetKey);
    return row ? toInvite(row) : null;
  }

  async pendingInvitesOf(userId: string): Promise<{ incoming: InviteRecord[]; outgoing: InviteRecord[] }> {
    return { incoming: this.q.pendingTo.all(userId).map(toInvite), outgoing: this.q.pendingFrom.all(userId).map(toInvite) };
  }

  async pendingInvitesByTarget(targetKey: string, fromId?: string): Promise<InviteRecord[]> {
    const all = this.q.pendingByTarget.all(targetKey).map(toInvite);
    return fromId === undefined ? all : all.filter((i) => i.fromId === fromId);
  }

  async closeInvite(inviteId: string, status: Exclude<InviteStatus, 'pending'>): Promise<boolean> {
    if (this.applying) await this.applierIdle();
    return this.q.closeInvite.run(status, inviteId).changes === 1;
  }

  async expireInvites(now: string): Promise<InviteRecord[]> {
    if (this.applying) await this.applierIdle();
    return this.db.transaction(() => {
      const due = this.q.dueInvites.all(now).map(toInvite);
      for (const i of due) this.q.closeInvite.run('expired', i.id);
      return due.map((i) => ({ ...i, status: 'expired' as const }));
    }).immediate();
  }

  async removeStale(now: string, closedBefore: string): Promise<StaleRemoved> {
    if (this.applying) await this.applierIdle();
    return this.db.transaction(() => ({
      tokens: this.q.staleTokens.run(now).changes,
      invites: this.q.staleInvites.run(closedBefore).changes,
      // A chat's messages go with it in the same transaction (ON DELETE CASCADE, with
      // foreign keys on): here none can be left behind.
      messages: 0,
    })).immediate();
  }

  /**
   * Healthy means the store can write: a tiny write must succeed, and after a failed
   * commit the disk must also have room again (a tiny write can fit in space the WAL
   * already holds while real batches still fail).
   */
  async ping(): Promise<void> {
    if (this.applying) await this.applierIdle();
    this.q.ping.run(new Date().toISOString());
    if (this.lastWriteError === null) return;
    const fs = statfsSync(dirname(this.file));
    if (fs.bavail * fs.bsize < MIN_FREE_BYTES) throw new Error('the last write failed and the disk is still nearly full');
    this.lastWriteError = null;
  }

  /** Finishes every append already asked for, then closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.pending.length || this.flushScheduled) await new Promise((r) => setImmediate(r));
    await this.durable;
    if (this.log) {
      if (this.applyTimer) clearTimeout(this.applyTimer);
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.applyTimer = this.idleTimer = null;
      await this.applying;
      await this.applier?.stop();
      let applied = false;
      try {
        // everything logged into the tables, durably, so the next start has nothing to replay
        this.writeTxn('all', () => undefined);
        applied = true;
      } catch {
        // disk full: it stays in the log, which the next start replays
      }
      await this.log.sync.close();
      this.log.file.close();
      if (applied) removeLog(`${this.file}-msglog`);
    }
    await this.walSync.close();
    await this.checkpointer?.stop();
    this.appendDb.close();
    this.db.close();
    this.lock?.release();
  }
}

/**
 * Whether the log applier thread may be holding SQLite's write lock. Writes on the main
 * connection wait (off the event loop) while it is held: one that found the lock taken
 * would otherwise sleep in SQLite's busy handler on the event loop, and every socket
 * with it (measured: the invite-expiry sweep slept 200-750 ms at a time behind applies).
 */
class ApplierGate {
  private busy: { done: Promise<void>; release: () => void } | null = null;

  hold(): void {
    if (this.busy) return;
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    this.busy = { done, release };
  }

  release(): void {
    const busy = this.busy;
    this.busy = null;
    busy?.release();
  }

  async idle(): Promise<void> {
    while (this.busy) await this.busy.done;
  }
}

/** What happens around the WAL's fdatasync (sqlite-wal-sync.ts). */
export interface WalDurability {
  /** A flush failed: nothing may be acknowledged after it. Default: stopOnFlushFailure. */
  onFatal?: (err: Error) => void;
  /** Tests only: holds or fails each flush (FlushGate). */
  flushGate?: FlushGate;
}

/** Whoever opened the store without saying otherwise (tools, the bench's seeding). */
function stopOnFlushFailure(err: Error): never {
  process.stderr.write(`relay store: the WAL could not be flushed to disk (${err.message}); stopping so nothing more is acknowledged\n`);
  process.exit(1);
}

export async function openSqliteStore(
  dataDir: string,
  opts: { shared?: boolean; lock?: DataDirLock; messageLog?: MessageLogOptions } & WalDurability = {},
): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  return new SqliteStore(join(dataDir, 'relay.sqlite'), opts.shared ?? false, opts.lock ?? null, opts, opts.messageLog);
}
