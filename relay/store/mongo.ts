// The MongoDB backend of the Store interface, for several relay processes on one
// MongoDB replica set (or sharded cluster). It needs transactions, so the relay refuses
// to start against a standalone server (mongo-connect.ts).
//
// - Every write waits for a journaled majority, and reads use read concern "majority":
//   what the relay acknowledges or shows survives a failover.
// - Whatever reads records and then writes on what it read is one transaction (snapshot
//   reads, majority-journaled commit): an append (resend look-up, the chat's lastSeq
//   $inc, the insert; appends to one chat that queue up meanwhile commit together, in
//   call order), accepting an invite, leaving, creating an invite, deleting a chat.
//   Snapshot isolation only stops two transactions that write the same document, so
//   operations that must exclude each other write a common one: each bumps the chat's
//   `version`, and accepts that would produce the same member set upsert one
//   `memberSets` document (see acceptInvite). The loser of such a write conflict is run
//   again by the driver (TransientTransactionError) on a fresh snapshot.
// - Single-document races (invite closing, read positions, friend upserts) stay single
//   atomic operations.
// - Every call has a time limit (MONGODB_TIMEOUT_MS, default 10 s): it rejects when the
//   limit passes, and the relay answers `internal` without acknowledging anything.
import { randomUUID } from 'node:crypto';
import { MongoServerError, type ClientSession, type Collection, type Db, type MongoClient, type TransactionOptions } from 'mongodb';
import type { ChatKind, InviteStatus, MessageKind } from '../../protocol/types';
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
import { connectClient, durableWriteConcern, requireReplicaSet, timeoutMsFrom } from './mongo-connect';

interface UserDoc {
  _id: string;
  username: string;
  displayName: string;
  createdAt: string;
  passwordHash: string;
  salt: string;
}

interface TokenDoc {
  _id: string; // the token's hash
  userId: string;
  expiresAt: string;
  /** Same instant as a Date, only so a TTL index can purge dead tokens. */
  expireAt: Date;
}

interface FriendRequestDoc {
  fromId: string;
  toId: string;
  createdAt: Date;
}

/** One document per friendship, the pair stored sorted so (a, b) is unique. */
interface FriendshipDoc {
  a: string;
  b: string;
  createdAt: Date;
}

interface ChatDoc {
  _id: string;
  kind: ChatKind;
  pairKey: string | null;
  createdAt: string;
  lastSeq: number;
  /** In join order. */
  memberIds: string[];
  /** The member set as one comparable value (see memberKeyOf), for findChatByMembers. */
  memberKey: string;
  /**
   * Bumped by every membership change and by invites into the chat, only so that
   * transactions that read the chat and must exclude each other also write it (and so
   * conflict). Missing on chats written by older versions; $inc starts it.
   */
  version?: number;
}

/**
 * One document per member set an accept has produced (keyed by memberKeyOf). Two
 * accepts that would each make a chat with the same members both write it, so one of
 * them is run again and then finds the other's chat (`duplicate`). Holds nothing else.
 */
interface MemberSetDoc {
  _id: string;
  n: number;
}

interface ReadDoc {
  chatId: string;
  userId: string;
  readSeq: number;
}

interface MessageDoc {
  _id: string;
  chatId: string;
  seq: number;
  /** Missing on messages written by older versions, which were all text. */
  kind?: MessageKind;
  /** For a membership entry, the member who joined or left. */
  senderId: string;
  body: string;
  clientMsgId: string;
  createdAt: string;
}

interface InviteDoc {
  _id: string;
  fromId: string;
  toId: string;
  chatId: string | null;
  kind: ChatKind;
  targetKey: string;
  memberIds: string[];
  status: InviteStatus;
  createdAt: string;
  expiresAt: string;
}

interface Collections {
  users: Collection<UserDoc>;
  tokens: Collection<TokenDoc>;
  friendRequests: Collection<FriendRequestDoc>;
  friendships: Collection<FriendshipDoc>;
  chats: Collection<ChatDoc>;
  memberSets: Collection<MemberSetDoc>;
  reads: Collection<ReadDoc>;
  messages: Collection<MessageDoc>;
  invites: Collection<InviteDoc>;
}

/** Membership updates are compare-and-set; contention is a handful of people clicking. */
const MAX_CAS_ATTEMPTS = 50;

const DEFAULT_DB_NAME = 'relaychat';

/** A store call that did not finish within its time limit (MONGODB_TIMEOUT_MS). */
export class MongoStoreTimeout extends Error {
  override name = 'MongoStoreTimeout';
}

/**
 * Thrown inside a transaction when a unique index clashed with a document another
 * transaction committed after this one's snapshot: the next attempt, on a fresh
 * snapshot, sees that document and decides again. (A clash with a transaction still in
 * progress is a WriteConflict instead, which the driver retries by itself.) Not a
 * MongoError, so withTransaction aborts and hands it to runTransaction's loop.
 */
class RunAgain extends Error {}

/** Appends of one chat waiting together for the next commit (see MongoStore.openGroups). */
interface AppendGroup {
  items: { msg: NewMessage; id: string; deadline: number; resolve: (r: AppendResult) => void; reject: (err: unknown) => void }[];
}

/** The most appends one group commit carries; more form the next group. */
const MAX_APPEND_GROUP = 256;

/** Each RunAgain follows a commit by someone else, so a few in a row already take a storm. */
const MAX_RUN_AGAIN = 8;

function isDuplicateKey(err: unknown): err is MongoServerError {
  return err instanceof MongoServerError && err.code === 11000;
}

/**
 * The member set as a string equal for equal sets whatever their order. JSON keeps it
 * unambiguous for any id characters, unlike joining with a separator.
 */
function memberKeyOf(memberIds: readonly string[]): string {
  return JSON.stringify([...new Set(memberIds)].sort());
}

function uniqueInOrder(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function sortedPair(x: string, y: string): { a: string; b: string } {
  return x < y ? { a: x, b: y } : { a: y, b: x };
}

/** The database named in the URI's path, if any (the driver would default to "test"). */
function dbNameFromUri(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(uri);
  return m ? decodeURIComponent(m[1]) : undefined;
}

function toUser(d: UserDoc): UserRecord {
  return { id: d._id, username: d.username, displayName: d.displayName, createdAt: d.createdAt };
}

function toChat(d: ChatDoc): ChatRecord {
  return { id: d._id, kind: d.kind, pairKey: d.pairKey, createdAt: d.createdAt, lastSeq: d.lastSeq, memberIds: d.memberIds };
}

function toMessage(d: MessageDoc): MessageRecord {
  const kind = d.kind ?? 'text';
  // An entry's stored clientMsgId only keeps it clear of the resend index (see
  // appendEntries); it was never a client's, so none is shown.
  const clientMsgId = kind === 'text' ? d.clientMsgId : '';
  return { id: d._id, chatId: d.chatId, seq: d.seq, kind, senderId: d.senderId, body: d.body, clientMsgId, createdAt: d.createdAt };
}

function toInvite(d: InviteDoc): InviteRecord {
  return {
    id: d._id,
    fromId: d.fromId,
    toId: d.toId,
    chatId: d.chatId,
    kind: d.kind,
    targetKey: d.targetKey,
    memberIds: d.memberIds,
    status: d.status,
    createdAt: d.createdAt,
    expiresAt: d.expiresAt,
  };
}

/** The key (chat, sender, clientMsgId) that makes a resend the same message. */
function resendKey(m: { chatId: string; senderId: string; clientMsgId: string }): string {
  return JSON.stringify([m.chatId, m.senderId, m.clientMsgId]);
}

/**
 * Versions before the unique pending-invite index could leave two pending invites from
 * the same inviter to the same invitee for the same target; the index cannot be built
 * over them. The first of each stays; the others close as cancelled (as SQLite's
 * migration 4 does).
 */
async function cancelDuplicatePendingInvites(invites: Collection<InviteDoc>): Promise<void> {
  const groups = await invites
    .aggregate<{ ids: string[] }>([
      { $match: { status: 'pending' } },
      { $sort: { createdAt: 1, _id: 1 } },
      { $group: { _id: { fromId: '$fromId', toId: '$toId', targetKey: '$targetKey' }, ids: { $push: '$_id' } } },
      { $match: { 'ids.1': { $exists: true } } },
    ])
    .toArray();
  const extra = groups.flatMap((g) => g.ids.slice(1));
  if (extra.length) await invites.updateMany({ _id: { $in: extra }, status: 'pending' }, { $set: { status: 'cancelled' } });
}

/**
 * One createIndexes command per collection (collections in parallel): creating several
 * indexes at once on a collection that does not exist yet would race its creation.
 * Every collection a transaction writes exists afterwards, so no transaction has to
 * create one.
 */
async function ensureIndexes(db: Db, c: Collections): Promise<void> {
  await cancelDuplicatePendingInvites(c.invites);
  await Promise.all([
    c.users.createIndexes([{ key: { username: 1 }, unique: true }]),
    c.tokens.createIndexes([{ key: { userId: 1 } }, { key: { expireAt: 1 }, expireAfterSeconds: 0 }]),
    c.friendRequests.createIndexes([{ key: { fromId: 1, toId: 1 }, unique: true }, { key: { toId: 1 } }]),
    c.friendships.createIndexes([{ key: { a: 1, b: 1 }, unique: true }, { key: { b: 1 } }]),
    c.chats.createIndexes([
      // At most one direct chat per pair; groups have pairKey null and are not constrained.
      { key: { pairKey: 1 }, unique: true, partialFilterExpression: { pairKey: { $type: 'string' } } },
      { key: { memberKey: 1 } },
      { key: { memberIds: 1 } },
    ]),
    c.reads.createIndexes([{ key: { chatId: 1, userId: 1 }, unique: true }]),
    c.messages.createIndexes([
      { key: { chatId: 1, seq: 1 }, unique: true },
      { key: { chatId: 1, senderId: 1, clientMsgId: 1 }, unique: true },
    ]),
    c.invites.createIndexes([
      { key: { toId: 1, status: 1 } },
      { key: { fromId: 1, status: 1 } },
      // targetKey and status first so pendingInvitesByTarget without fromId uses it too.
      { key: { targetKey: 1, status: 1, fromId: 1 } },
      { key: { status: 1, expiresAt: 1 } },
      // already_invited, atomically: one pending invite per inviter, invitee and target.
      { key: { fromId: 1, toId: 1, targetKey: 1 }, name: 'one_pending', unique: true, partialFilterExpression: { status: 'pending' } },
    ]),
    db.createCollection('memberSets').catch((err: unknown) => {
      // 48 NamespaceExists: another relay (or an earlier start) made it
      if (!(err instanceof MongoServerError && err.code === 48)) throw err;
    }),
  ]);
}

export interface MongoStoreOptions {
  /** Time limit of one store call in ms; default MONGODB_TIMEOUT_MS, else 10 s. */
  timeoutMs?: number;
}

export async function openMongoStore(uri: string, dbName?: string, opts: MongoStoreOptions = {}): Promise<Store> {
  const timeoutMs = timeoutMsFrom(opts.timeoutMs);
  const client = await connectClient(uri, timeoutMs);
  let db: Db;
  let cols: Collections;
  try {
    await requireReplicaSet(client, uri);
    const writeConcern = durableWriteConcern(timeoutMs);
    // Read concern "majority" comes from the client (mongo-connect.ts). Reads go to the
    // primary whatever the URI's readPreference: a secondary may not have the message
    // this relay has just acknowledged, and history must show it.
    db = client.db(dbName ?? dbNameFromUri(uri) ?? DEFAULT_DB_NAME, { writeConcern, readPreference: 'primary' });
    cols = {
      users: db.collection<UserDoc>('users'),
      tokens: db.collection<TokenDoc>('tokens'),
      friendRequests: db.collection<FriendRequestDoc>('friendRequests'),
      friendships: db.collection<FriendshipDoc>('friendships'),
      chats: db.collection<ChatDoc>('chats'),
      memberSets: db.collection<MemberSetDoc>('memberSets'),
      reads: db.collection<ReadDoc>('reads'),
      messages: db.collection<MessageDoc>('messages'),
      invites: db.collection<InviteDoc>('invites'),
    };
    await ensureIndexes(db, cols);
  } catch (err) {
    await client.close();
    throw err;
  }
  return closeAfterInFlight(new MongoStore(client, db, cols, timeoutMs), timeoutMs);
}

/**
 * Rejects once `ms` have passed without `p` settling. The driver gives no way to call
 * off most operations (its client-side timeout, timeoutMS, is a no-op from driver 7.8
 * on), so the operation itself carries on until its own limits stop it; whoever waits
 * is answered in time either way.
 */
function withinTime<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MongoStoreTimeout(`MongoDB store: ${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * The store as handed out: every call is limited to timeoutMs (withinTime); close()
 * waits for every operation already started (an append that was called is finished
 * and durable, or failed, as with SQLite), for at most timeoutMs, and refuses new
 * ones, since the driver would otherwise quietly reconnect a closed client.
 */
function closeAfterInFlight(inner: MongoStore, timeoutMs: number): Store {
  const inFlight = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;
  const run =
    <A extends unknown[], R>(what: string, op: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (closing) return Promise.reject(new Error('store closed'));
      const p = op.apply(inner, args);
      // The operation itself, not its time limit, is what close() waits for.
      inFlight.add(p);
      const forget = () => inFlight.delete(p);
      p.then(forget, forget);
      return withinTime(p, timeoutMs, what);
    };
  return {
    kind: inner.kind,
    createUser: run('createUser', inner.createUser),
    getCredentials: run('getCredentials', inner.getCredentials),
    getUserByUsername: run('getUserByUsername', inner.getUserByUsername),
    getUsers: run('getUsers', inner.getUsers),
    createToken: run('createToken', inner.createToken),
    findToken: run('findToken', inner.findToken),
    deleteToken: run('deleteToken', inner.deleteToken),
    friendState: run('friendState', inner.friendState),
    addFriendRequest: run('addFriendRequest', inner.addFriendRequest),
    removeFriendRequest: run('removeFriendRequest', inner.removeFriendRequest),
    makeFriends: run('makeFriends', inner.makeFriends),
    removeFriendship: run('removeFriendship', inner.removeFriendship),
    friendLists: run('friendLists', inner.friendLists),
    friendIds: run('friendIds', inner.friendIds),
    getChat: run('getChat', inner.getChat),
    findDirectChat: run('findDirectChat', inner.findDirectChat),
    createChat: run('createChat', inner.createChat),
    addMembers: run('addMembers', inner.addMembers),
    removeMember: run('removeMember', inner.removeMember),
    deleteChat: run('deleteChat', inner.deleteChat),
    acceptInvite: run('acceptInvite', inner.acceptInvite),
    leaveChat: run('leaveChat', inner.leaveChat),
    chatsOf: run('chatsOf', inner.chatsOf),
    findChatByMembers: run('findChatByMembers', inner.findChatByMembers),
    markRead: run('markRead', inner.markRead),
    getReadSeq: run('getReadSeq', inner.getReadSeq),
    appendMessage: run('appendMessage', inner.appendMessage),
    appendMessages: run('appendMessages', inner.appendMessages),
    history: run('history', inner.history),
    createInvite: run('createInvite', inner.createInvite),
    getInvite: run('getInvite', inner.getInvite),
    findPendingInvite: run('findPendingInvite', inner.findPendingInvite),
    pendingInvitesOf: run('pendingInvitesOf', inner.pendingInvitesOf),
    pendingInvitesByTarget: run('pendingInvitesByTarget', inner.pendingInvitesByTarget),
    closeInvite: run('closeInvite', inner.closeInvite),
    expireInvites: run('expireInvites', inner.expireInvites),
    removeStale: run('removeStale', inner.removeStale),
    ping: run('ping', inner.ping),
    close() {
      closing ??= (async () => {
        // Every caller has had its answer within timeoutMs of its call, so past that
        // nobody waits for what is still running (the server stopped answering): the
        // client's close ends it rather than holding the shutdown for the socket timeout.
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
        await Promise.race([Promise.allSettled(inFlight), limit]);
        clearTimeout(timer);
        await inner.close();
      })();
      return closing;
    },
  };
}

class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  private readonly txnOptions: TransactionOptions;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly c: Collections,
    private readonly timeoutMs: number,
  ) {
    this.txnOptions = {
      // One snapshot for every read of an attempt; the commit is majority-journaled.
      readConcern: { level: 'snapshot' },
      writeConcern: durableWriteConcern(timeoutMs),
      readPreference: 'primary',
      maxCommitTimeMS: timeoutMs,
    };
  }

  /**
   * Runs `work` as one transaction and returns what the committed attempt returned.
   * The driver runs it again on a TransientTransactionError (a write conflict with a
   * concurrent transaction, a failover) and retries an UnknownTransactionCommitResult
   * commit; its own budget for that is 120 s, so no attempt starts here after
   * `deadline`. `work` must derive everything it returns from its own reads (no state
   * kept between attempts), and must not swallow driver errors (the driver could not
   * tell the transaction was aborted).
   */
  private async runTransaction<T>(work: (s: ClientSession) => Promise<T>, deadline = Date.now() + this.timeoutMs): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.withSession((session) =>
          session.withTransaction(async (s) => {
            if (Date.now() >= deadline) throw new MongoStoreTimeout(`MongoDB store: a transaction did not commit within ${this.timeoutMs} ms`);
            return work(s);
          }, this.txnOptions),
        );
      } catch (err) {
        if (!(err instanceof RunAgain)) throw err;
        // A clash that persists is not a race (an id used twice, say): report the clash.
        if (attempt >= MAX_RUN_AGAIN) throw err.cause;
        if (Date.now() >= deadline) throw new MongoStoreTimeout(`MongoDB store: a transaction did not commit within ${this.timeoutMs} ms`);
        // The clash was with a committed transaction, so the next attempt sees it; the
        // short random pause only spreads out several relays that clashed at once.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(5 * 2 ** attempt, 200)));
      }
    }
  }

  /** An insert or upsert inside a transaction whose unique-key clash means "run again". */
  private async orRunAgain<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (err) {
      if (isDuplicateKey(err)) throw new RunAgain(err.message, { cause: err });
      throw err;
    }
  }

  // ---- users and tokens ----

  async createUser(user: UserRecord, passwordHash: string, salt: string): Promise<UserRecord | null> {
    try {
      await this.c.users.insertOne({
        _id: user.id,
        username: user.username,
        displayName: user.displayName,
        createdAt: user.createdAt,
        passwordHash,
        salt,
      });
      return { ...user };
    } catch (err) {
      // Which index clashed is read back from the data rather than from the error, whose
      // keyPattern field older servers do not send.
      if (!isDuplicateKey(err)) throw err;
      const holder = await this.c.users.findOne({ username: user.username });
      if (holder && holder._id !== user.id) return null;
      if (holder) return toUser(holder);
      throw err;
    }
  }

  async getCredentials(username: string): Promise<Credentials | null> {
    const d = await this.c.users.findOne({ username });
    return d ? { user: toUser(d), passwordHash: d.passwordHash, salt: d.salt } : null;
  }

  async getUserByUsername(username: string): Promise<UserRecord | null> {
    const d = await this.c.users.findOne({ username });
    return d ? toUser(d) : null;
  }

  async getUsers(ids: readonly string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    const docs = await this.c.users.find({ _id: { $in: [...ids] } }).toArray();
    const byId = new Map(docs.map((d) => [d._id, toUser(d)]));
    // In the caller's order, so member lists keep join order.
    return uniqueInOrder(ids).flatMap((id) => {
      const u = byId.get(id);
      return u ? [u] : [];
    });
  }

  async createToken(tokenHash: string, userId: string, expiresAt: string): Promise<void> {
    await this.c.tokens.insertOne({ _id: tokenHash, userId, expiresAt, expireAt: new Date(expiresAt) });
  }

  async findToken(tokenHash: string, now: string): Promise<string | null> {
    const d = await this.c.tokens.findOne({ _id: tokenHash, expiresAt: { $gt: now } });
    return d ? d.userId : null;
  }

  async deleteToken(tokenHash: string): Promise<boolean> {
    const r = await this.c.tokens.deleteOne({ _id: tokenHash });
    return r.deletedCount === 1;
  }

  // ---- friends ----

  async friendState(userId: string, otherId: string): Promise<FriendState> {
    const [friendship, outgoing, incoming] = await Promise.all([
      this.c.friendships.findOne(sortedPair(userId, otherId)),
      this.c.friendRequests.findOne({ fromId: userId, toId: otherId }),
      this.c.friendRequests.findOne({ fromId: otherId, toId: userId }),
    ]);
    if (friendship) return 'friends';
    if (outgoing) return 'outgoing';
    if (incoming) return 'incoming';
    return 'none';
  }

  async addFriendRequest(fromId: string, toId: string): Promise<void> {
    await this.upsertIgnoringRace(() =>
      this.c.friendRequests.updateOne({ fromId, toId }, { $setOnInsert: { createdAt: new Date() } }, { upsert: true }),
    );
  }

  async removeFriendRequest(fromId: string, toId: string): Promise<boolean> {
    const r = await this.c.friendRequests.deleteOne({ fromId, toId });
    return r.deletedCount === 1;
  }

  async makeFriends(a: string, b: string): Promise<void> {
    const pair = sortedPair(a, b);
    await this.upsertIgnoringRace(() => this.c.friendships.updateOne(pair, { $setOnInsert: { createdAt: new Date() } }, { upsert: true }));
    await this.c.friendRequests.deleteMany({
      $or: [
        { fromId: a, toId: b },
        { fromId: b, toId: a },
      ],
    });
  }

  async removeFriendship(a: string, b: string): Promise<boolean> {
    const r = await this.c.friendships.deleteOne(sortedPair(a, b));
    return r.deletedCount === 1;
  }

  async friendLists(userId: string): Promise<FriendLists> {
    const [friendIds, incoming, outgoing] = await Promise.all([
      this.friendIds(userId),
      this.c.friendRequests.find({ toId: userId }).sort({ createdAt: 1, _id: 1 }).toArray(),
      this.c.friendRequests.find({ fromId: userId }).sort({ createdAt: 1, _id: 1 }).toArray(),
    ]);
    return { friendIds, incomingIds: incoming.map((r) => r.fromId), outgoingIds: outgoing.map((r) => r.toId) };
  }

  async friendIds(userId: string): Promise<string[]> {
    const docs = await this.c.friendships
      .find({ $or: [{ a: userId }, { b: userId }] })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map((d) => (d.a === userId ? d.b : d.a));
  }

  /**
   * Two concurrent upserts of the same unique key can both miss and both insert; the
   * loser gets E11000, which here just means the document already exists.
   */
  private async upsertIgnoringRace(op: () => Promise<unknown>): Promise<void> {
    try {
      await op();
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  // ---- chats and membership ----

  async getChat(chatId: string): Promise<ChatRecord | null> {
    const d = await this.c.chats.findOne({ _id: chatId });
    return d ? toChat(d) : null;
  }

  async findDirectChat(pairKey: string): Promise<ChatRecord | null> {
    const d = await this.c.chats.findOne({ pairKey });
    return d ? toChat(d) : null;
  }

  async createChat(
    chat: { id: string; kind: ChatKind; pairKey: string | null; createdAt: string },
    memberIds: string[],
  ): Promise<ChatRecord> {
    const members = uniqueInOrder(memberIds);
    if (chat.pairKey !== null) {
      const existing = await this.c.chats.findOne({ pairKey: chat.pairKey });
      if (existing) return this.addMembersOrFail(existing._id, members);
    }
    const doc: ChatDoc = {
      _id: chat.id,
      kind: chat.kind,
      pairKey: chat.pairKey,
      createdAt: chat.createdAt,
      lastSeq: 0,
      memberIds: members,
      memberKey: memberKeyOf(members),
      version: 0,
    };
    try {
      await this.c.chats.insertOne(doc);
      return toChat(doc);
    } catch (err) {
      // Another process created this pair's direct chat between our look-up and insert.
      if (chat.pairKey !== null && isDuplicateKey(err)) {
        const existing = await this.c.chats.findOne({ pairKey: chat.pairKey });
        if (existing) return this.addMembersOrFail(existing._id, members);
      }
      throw err;
    }
  }

  private async addMembersOrFail(chatId: string, userIds: string[]): Promise<ChatRecord> {
    const chat = await this.addMembers(chatId, userIds);
    if (!chat) throw new Error(`chat ${chatId} vanished while adding members`);
    return chat;
  }

  async addMembers(chatId: string, userIds: string[]): Promise<ChatRecord | null> {
    return this.updateMembers(chatId, (current) => {
      const added = uniqueInOrder(userIds).filter((id) => !current.includes(id));
      return added.length === 0 ? current : [...current, ...added];
    });
  }

  async removeMember(chatId: string, userId: string): Promise<ChatRecord | null> {
    let wasMember = false;
    const after = await this.updateMembers(chatId, (current) => {
      wasMember = current.includes(userId);
      return wasMember ? current.filter((id) => id !== userId) : current;
    });
    return wasMember ? after : null;
  }

  /**
   * Compare-and-set on the member list, so memberIds and memberKey always change
   * together and concurrent joins/leaves on other processes are never lost. It writes
   * the chat document (and bumps its version), so a transaction that read this chat
   * conflicts with it. Returns the chat after, or null when there is no such chat.
   */
  private async updateMembers(chatId: string, change: (current: string[]) => string[]): Promise<ChatRecord | null> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const doc = await this.c.chats.findOne({ _id: chatId });
      if (!doc) return null;
      const next = change(doc.memberIds);
      if (next === doc.memberIds) return toChat(doc);
      const updated = await this.c.chats.findOneAndUpdate(
        { _id: chatId, memberIds: { $eq: doc.memberIds } },
        { $set: { memberIds: next, memberKey: memberKeyOf(next) }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      );
      if (updated) return toChat(updated);
    }
    throw new Error(`membership of chat ${chatId} kept changing; gave up after ${MAX_CAS_ATTEMPTS} attempts`);
  }

  /**
   * The chat and its read positions go in one transaction; its messages right after
   * the commit (see deleteMessagesOf).
   */
  async deleteChat(chatId: string): Promise<void> {
    await this.runTransaction(async (s) => {
      await this.c.chats.deleteOne({ _id: chatId }, { session: s });
      await this.c.reads.deleteMany({ chatId }, { session: s });
    });
    await this.deleteMessagesOf(chatId);
  }

  /**
   * A deleted chat's messages, removed after the transaction that deleted the chat
   * rather than inside it: a long history would make that transaction big and slow
   * enough to fail (time limit, transactionLifetimeLimitSeconds) every time, so the last
   * member could never leave. Nothing can be appended meanwhile, since every append's
   * transaction writes the chat document, which is gone; the messages are unreachable
   * (the chat is not found first), and should this step not happen (a crash),
   * removeStale removes them.
   */
  private async deleteMessagesOf(chatId: string): Promise<void> {
    await this.c.messages.deleteMany({ chatId });
  }

  /** The chat, read in the transaction, if its member set is the one the plan read. */
  private async unchanged(s: ClientSession, basis: { chatId: string; memberIds: readonly string[] }): Promise<ChatDoc | null> {
    const chat = await this.c.chats.findOne({ _id: basis.chatId }, { session: s });
    return chat && chat.memberKey === memberKeyOf(basis.memberIds) ? chat : null;
  }

  /**
   * One transaction (semantics as SQLite's, see AcceptPlan). What it reads, it also
   * writes, so a concurrent change to any of it makes one of the two run again and
   * decide on what the other committed: the invite (closed here), the chat joined or
   * forked from (version bump), the pair's direct chat (its unique pairKey), and the
   * resulting member set (the memberSets document, since the chat that would make this
   * a duplicate may be one that another accept is creating right now).
   */
  async acceptInvite(plan: AcceptPlan): Promise<AcceptOutcome> {
    return this.runTransaction(async (s): Promise<AcceptOutcome> => {
      const invite = await this.c.invites.findOne({ _id: plan.inviteId }, { session: s });
      // gone (housekeeping removed it once closed): planning again answers not_found
      if (!invite) return { outcome: 'stale' };
      if (invite.status !== 'pending') return { outcome: 'closed', status: invite.status };
      if (invite.expiresAt <= plan.now) {
        await this.c.invites.updateOne({ _id: invite._id, status: 'pending' }, { $set: { status: 'expired' } }, { session: s });
        return { outcome: 'expired', invite: toInvite({ ...invite, status: 'expired' }) };
      }

      let into: ChatDoc | null = null;
      if (plan.into) {
        into = await this.unchanged(s, plan.into);
        if (!into) return { outcome: 'stale' };
      } else if (!plan.create || (plan.create.pairKey !== null && (await this.c.chats.findOne({ pairKey: plan.create.pairKey }, { session: s })))) {
        return { outcome: 'stale' };
      }
      if (plan.forkedFrom) {
        const forked = await this.unchanged(s, plan.forkedFrom);
        if (!forked) return { outcome: 'stale' };
        // Written only so that a leave from it conflicts with this accept.
        await this.c.chats.updateOne({ _id: forked._id }, { $inc: { version: 1 } }, { session: s });
      }

      const memberKey = memberKeyOf(plan.memberIds);
      await this.orRunAgain(this.c.memberSets.updateOne({ _id: memberKey }, { $inc: { n: 1 } }, { upsert: true, session: s }));
      const existing = await this.c.chats.findOne({ memberKey }, { session: s, sort: { createdAt: 1, _id: 1 } });
      if (existing) {
        await this.c.invites.updateOne({ _id: invite._id, status: 'pending' }, { $set: { status: 'cancelled' } }, { session: s });
        return { outcome: 'duplicate', chatId: existing._id, invite: toInvite({ ...invite, status: 'cancelled' }) };
      }

      await this.c.invites.updateOne({ _id: invite._id, status: 'pending' }, { $set: { status: 'accepted' } }, { session: s });
      if (into) {
        const before = into.memberIds;
        const joined = uniqueInOrder(plan.memberIds).filter((id) => !before.includes(id));
        const after = [...before, ...joined];
        // one seq per `joined` entry, taken with the membership change
        const updated = await this.c.chats.findOneAndUpdate(
          { _id: into._id },
          { $set: { memberIds: after, memberKey: memberKeyOf(after) }, $inc: { version: 1, lastSeq: joined.length } },
          { session: s, returnDocument: 'after' },
        );
        // read in this same snapshot a moment ago, and a conflicting delete would abort us
        if (!updated) throw new Error(`acceptInvite: chat ${into._id} vanished inside its transaction`);
        const entries = await this.appendEntries(s, updated, 'joined', joined, plan.now);
        return { outcome: 'accepted', chat: toChat(updated), before: [...before], entries };
      }
      // plan.create is set: checked above
      const create = plan.create!;
      const members = uniqueInOrder(plan.memberIds);
      const doc: ChatDoc = {
        _id: create.id,
        kind: create.kind,
        pairKey: create.pairKey,
        createdAt: create.createdAt,
        lastSeq: 0,
        memberIds: members,
        memberKey: memberKeyOf(members),
        version: 0,
      };
      // a clash on pairKey: the pair's chat was committed after our snapshot; the next
      // attempt sees it and answers stale
      await this.orRunAgain(this.c.chats.insertOne(doc, { session: s }));
      // the founders of a new chat get no `joined` entries
      return { outcome: 'accepted', chat: toChat(doc), before: [], entries: [] };
    });
  }

  /**
   * One transaction (semantics as SQLite's): the member leaves (a version bump on the
   * chat, so concurrent accepts into it and invites into it conflict with this), the
   * invites close, and a group left empty is deleted with its read positions; its
   * messages go right after the commit, before the answer (deleteMessagesOf).
   */
  async leaveChat(chatId: string, userId: string, now: string): Promise<LeaveOutcome | null> {
    const left = await this.runTransaction(async (s): Promise<LeaveOutcome | null> => {
      const chat = await this.c.chats.findOne({ _id: chatId }, { session: s });
      if (!chat || !chat.memberIds.includes(userId)) return null;
      const memberIds = chat.memberIds.filter((id) => id !== userId);
      const after: ChatDoc = { ...chat, memberIds, memberKey: memberKeyOf(memberIds) };
      const deleted = chat.kind === 'group' && memberIds.length === 0;
      const targets = chat.pairKey ? [`chat:${chatId}`, `pair:${chat.pairKey}`] : [`chat:${chatId}`];
      const cancelled: InviteRecord[] = [];
      for (const targetKey of targets) {
        // the leaver's own invites toward the chat; every invite into a deleted group
        const everyone = deleted && targetKey === `chat:${chatId}`;
        const filter = everyone ? { targetKey, status: 'pending' as const } : { targetKey, status: 'pending' as const, fromId: userId };
        const pending = await this.c.invites.find(filter, { session: s }).sort({ createdAt: 1, _id: 1 }).toArray();
        if (pending.length === 0) continue;
        await this.c.invites.updateMany({ _id: { $in: pending.map((d) => d._id) }, status: 'pending' }, { $set: { status: 'cancelled' } }, { session: s });
        for (const d of pending) cancelled.push(toInvite({ ...d, status: 'cancelled' }));
      }
      if (deleted) {
        await this.c.chats.deleteOne({ _id: chatId }, { session: s });
        await this.c.reads.deleteMany({ chatId }, { session: s });
        return { chat: toChat(after), deleted, cancelled, entry: null };
      }
      // the `left` entry's seq is taken with the membership change
      const updated = await this.c.chats.findOneAndUpdate(
        { _id: chatId },
        { $set: { memberIds, memberKey: after.memberKey }, $inc: { version: 1, lastSeq: 1 } },
        { session: s, returnDocument: 'after' },
      );
      if (!updated) throw new Error(`leaveChat: chat ${chatId} vanished inside its transaction`);
      const [entry] = await this.appendEntries(s, updated, 'left', [userId], now);
      return { chat: toChat(updated), deleted, cancelled, entry };
    });
    // Awaited, so the history is gone when the leave is answered (as with SQLite). A
    // failure here does not undo or fail the leave, which is committed: removeStale
    // removes what is left behind.
    if (left?.deleted) await this.deleteMessagesOf(chatId).catch(() => undefined);
    return left;
  }

  /**
   * Membership entries (as SQLite's appendEntry), inside the caller's transaction,
   * which has already raised the chat's lastSeq by their number: theirs are the last
   * seqs up to `chat.lastSeq`, in order. Each stores "<kind>:<id>" as its clientMsgId,
   * so the resend index never takes two entries of one member for the same message. A
   * member who had read everything before an entry has read it too: an entry is never
   * unread.
   */
  private async appendEntries(s: ClientSession, chat: ChatDoc, kind: Exclude<MessageKind, 'text'>, userIds: readonly string[], at: string): Promise<MessageRecord[]> {
    if (userIds.length === 0) return [];
    const first = chat.lastSeq - userIds.length + 1;
    const docs: MessageDoc[] = userIds.map((userId, k) => {
      const id = randomUUID();
      return { _id: id, chatId: chat._id, seq: first + k, kind, senderId: userId, body: '', clientMsgId: `${kind}:${id}`, createdAt: at };
    });
    await this.c.messages.insertMany(docs, { session: s, ordered: true });
    for (const d of docs) {
      if (chat.memberIds.length === 0) break;
      if (d.seq === 1) {
        // Nothing before it, so every read position is 0, stored or not: upsert.
        for (const userId of chat.memberIds) {
          await this.orRunAgain(this.c.reads.updateOne({ chatId: chat._id, userId }, { $max: { readSeq: 1 } }, { upsert: true, session: s }));
        }
      } else {
        await this.c.reads.updateMany({ chatId: chat._id, userId: { $in: chat.memberIds }, readSeq: d.seq - 1 }, { $set: { readSeq: d.seq } }, { session: s });
      }
    }
    return docs.map(toMessage);
  }

  async chatsOf(userId: string): Promise<MembershipRecord[]> {
    const chats = await this.c.chats.find({ memberIds: userId }).sort({ createdAt: 1, _id: 1 }).toArray();
    if (chats.length === 0) return [];
    const reads = await this.c.reads.find({ userId, chatId: { $in: chats.map((c) => c._id) } }).toArray();
    const readSeqOf = new Map(reads.map((r) => [r.chatId, r.readSeq]));
    return chats.map((c) => ({ chat: toChat(c), readSeq: readSeqOf.get(c._id) ?? 0 }));
  }

  async findChatByMembers(memberIds: readonly string[]): Promise<ChatRecord | null> {
    // An empty set would match every inactive direct chat, which is not a chat of anyone.
    if (memberIds.length === 0) return null;
    const d = await this.c.chats.findOne({ memberKey: memberKeyOf(memberIds) }, { sort: { createdAt: 1, _id: 1 } });
    return d ? toChat(d) : null;
  }

  async markRead(chatId: string, userId: string, seq: number): Promise<number> {
    const chat = await this.c.chats.findOne({ _id: chatId }, { projection: { lastSeq: 1 } });
    if (!chat) return 0;
    // lastSeq only grows, so capping at the value read here never caps too high.
    const target = Math.max(0, Math.min(seq, chat.lastSeq));
    const filter = { chatId, userId };
    // An upsert takes chatId and userId from the filter; $max sets a missing readSeq.
    const update = { $max: { readSeq: target } };
    let after: ReadDoc | null;
    try {
      after = await this.c.reads.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' });
    } catch (err) {
      // A concurrent first markRead inserted the document; now it exists, update it.
      if (!isDuplicateKey(err)) throw err;
      after = await this.c.reads.findOneAndUpdate(filter, update, { returnDocument: 'after' });
    }
    return after?.readSeq ?? target;
  }

  async getReadSeq(chatId: string, userId: string): Promise<number> {
    const d = await this.c.reads.findOne({ chatId, userId });
    return d?.readSeq ?? 0;
  }

  // ---- messages ----

  /** Per chat, the tail of the appends this process has in flight (see inChatOrder). */
  private readonly chatTails = new Map<string, Promise<unknown>>();

  /**
   * Appends touching these chats run after every append this process already has in
   * flight for them, in call order. The relay hands one socket's messages to the store
   * in send order; transactions started at once may commit in any order (and would
   * mostly write-conflict on the chat), so without this a later message could take
   * the smaller seq.
   */
  private inChatOrder<T>(chatIds: readonly string[], work: () => Promise<T>): Promise<T> {
    const ids = [...new Set(chatIds)];
    const run = Promise.all(ids.map((id) => this.chatTails.get(id))).then(work);
    const tail = run.catch(() => undefined);
    for (const id of ids) this.chatTails.set(id, tail);
    void tail.then(() => {
      for (const id of ids) if (this.chatTails.get(id) === tail) this.chatTails.delete(id);
    });
    return run;
  }

  /**
   * Per chat, the appends called but not yet started: the next one to commit, together
   * (group commit). One transaction per message would wait out one majority-journaled
   * commit each, one after another, so a burst into one chat would take longer than the
   * time limit; a group costs about what one message does.
   */
  private readonly openGroups = new Map<string, AppendGroup>();

  appendMessage(msg: NewMessage, id: string): Promise<AppendResult> {
    // the time spent waiting behind earlier appends counts against this call's limit
    const deadline = Date.now() + this.timeoutMs;
    return new Promise<AppendResult>((resolve, reject) => {
      let group = this.openGroups.get(msg.chatId);
      if (!group || group.items.length >= MAX_APPEND_GROUP) {
        const next: AppendGroup = { items: [] };
        group = next;
        this.openGroups.set(msg.chatId, next);
        void this.inChatOrder([msg.chatId], () => this.commitGroup(msg.chatId, next));
      }
      group.items.push({ msg, id, deadline, resolve, reject });
    });
  }

  /** Never rejects: each waiting append gets its own answer. */
  private async commitGroup(chatId: string, group: AppendGroup): Promise<void> {
    // Closed from now on: later appends form the next group, committed after this one.
    if (this.openGroups.get(chatId) === group) this.openGroups.delete(chatId);
    const now = Date.now();
    const live = group.items.filter((p) => {
      if (now < p.deadline) return true;
      // Waited out its time behind earlier appends: better not stored at all than stored
      // after the caller has been told it failed.
      p.reject(new MongoStoreTimeout(`MongoDB store: an append waited ${this.timeoutMs} ms behind earlier ones and was not made`));
      return false;
    });
    if (live.length === 0) return;
    try {
      const results = await this.appendNow(live, Math.min(...live.map((p) => p.deadline)));
      live.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      for (const p of live) p.reject(err);
    }
  }

  /**
   * The whole batch in one transaction, so one durable commit as with SQLite: all of it
   * or none. A retry of the batch de-duplicates what an earlier try stored.
   */
  appendMessages(batch: { msg: NewMessage; id: string }[]): Promise<AppendResult[]> {
    if (batch.length === 0) return Promise.resolve([]);
    const deadline = Date.now() + this.timeoutMs;
    const chatIds = batch.map((b) => b.msg.chatId);
    // Appends called after this batch must not join a group that commits before it.
    for (const id of chatIds) this.openGroups.delete(id);
    return this.inChatOrder(
      chatIds,
      () => this.appendNow(batch, deadline),
    );
  }

  /**
   * One transaction: the resend look-up, one $inc of each chat's lastSeq by the number
   * of new messages, and the inserts. Concurrent appends to one chat (other relays)
   * write-conflict on the chat document and the loser runs again, so seqs are
   * allocated in commit order without gaps: an aborted attempt's $inc is undone.
   */
  private async appendNow(batch: { msg: NewMessage; id: string }[], deadline: number): Promise<AppendResult[]> {
    if (Date.now() >= deadline) throw new MongoStoreTimeout(`MongoDB store: an append waited ${this.timeoutMs} ms behind earlier ones and was not made`);
    return this.runTransaction(async (s) => {
      const earlier = await this.earlierCopies(s, batch);
      // Which are new, in batch order; a repeat within the batch answers its first copy.
      const firstIndex = new Map<string, number>();
      const newPerChat = new Map<string, number>();
      const shape: ({ original: MessageRecord } | { first: number })[] = [];
      batch.forEach(({ msg }, i) => {
        const key = resendKey(msg);
        const original = earlier.get(key);
        if (original) return shape.push({ original });
        const first = firstIndex.get(key);
        if (first !== undefined) return shape.push({ first });
        firstIndex.set(key, i);
        newPerChat.set(msg.chatId, (newPerChat.get(msg.chatId) ?? 0) + 1);
        return shape.push({ first: i });
      });

      const nextSeq = new Map<string, number>();
      for (const [chatId, n] of newPerChat) {
        const chat = await this.c.chats.findOneAndUpdate({ _id: chatId }, { $inc: { lastSeq: n } }, { session: s, returnDocument: 'after', projection: { lastSeq: 1 } });
        if (!chat) throw new Error(`appendMessage: no chat ${chatId}`);
        nextSeq.set(chatId, chat.lastSeq - n + 1);
      }

      const docs = new Map<number, MessageDoc>();
      for (const [, i] of firstIndex) {
        const { msg, id } = batch[i];
        const seq = nextSeq.get(msg.chatId)!;
        nextSeq.set(msg.chatId, seq + 1);
        docs.set(i, { _id: id, chatId: msg.chatId, seq, kind: 'text', senderId: msg.senderId, body: msg.body, clientMsgId: msg.clientMsgId, createdAt: msg.createdAt });
      }
      // A clash on (chat, sender, clientMsgId): the same message was committed by another
      // socket or relay after our snapshot; the next attempt answers its original.
      if (docs.size) await this.orRunAgain(this.c.messages.insertMany([...docs.values()], { session: s, ordered: true }));

      // a repeat within the batch points at an earlier index than its own
      return shape.map((x, i): AppendResult => ('original' in x ? { message: x.original, duplicate: true } : { message: toMessage(docs.get(x.first)!), duplicate: x.first !== i }));
    }, deadline);
  }

  /** Messages already stored with the resend keys of the batch, by resendKey. */
  private async earlierCopies(s: ClientSession, batch: { msg: NewMessage }[]): Promise<Map<string, MessageRecord>> {
    const bySender = new Map<string, { chatId: string; senderId: string; ids: Set<string> }>();
    for (const { msg } of batch) {
      const k = JSON.stringify([msg.chatId, msg.senderId]);
      let g = bySender.get(k);
      if (!g) bySender.set(k, (g = { chatId: msg.chatId, senderId: msg.senderId, ids: new Set() }));
      g.ids.add(msg.clientMsgId);
    }
    const found = new Map<string, MessageRecord>();
    for (const g of bySender.values()) {
      const docs = await this.c.messages.find({ chatId: g.chatId, senderId: g.senderId, clientMsgId: { $in: [...g.ids] } }, { session: s }).toArray();
      for (const d of docs) found.set(resendKey(d), toMessage(d));
    }
    return found;
  }

  async history(chatId: string, q: HistoryQuery): Promise<HistoryPage> {
    const limit = Math.max(0, Math.floor(q.limit));
    const seq: { $lt?: number; $gt?: number } = {};
    if (q.before !== undefined) seq.$lt = q.before;
    if (q.after !== undefined) seq.$gt = q.after;
    const filter = q.before === undefined && q.after === undefined ? { chatId } : { chatId, seq };
    // `after` reads forward from a point; otherwise read back from the newest end.
    const forward = q.after !== undefined;
    // One extra row answers hasMore without a count.
    const docs = await this.c.messages
      .find(filter)
      .sort({ seq: forward ? 1 : -1 })
      .limit(limit + 1)
      .toArray();
    const hasMore = docs.length > limit;
    const page = docs.slice(0, limit).map(toMessage);
    if (!forward) page.reverse();
    return { messages: page, hasMore };
  }

  // ---- invites ----

  /**
   * One transaction. An invite into a chat bumps the chat's version, so it conflicts
   * with a concurrent leave (which would otherwise miss it when cancelling the
   * leaver's invites). already_invited is the unique partial index one_pending: a
   * duplicate key aborts the transaction and is answered here.
   */
  async createInvite(invite: InviteRecord): Promise<CreateInviteOutcome> {
    const doc: InviteDoc = {
      _id: invite.id,
      fromId: invite.fromId,
      toId: invite.toId,
      chatId: invite.chatId,
      kind: invite.kind,
      targetKey: invite.targetKey,
      memberIds: [...invite.memberIds],
      status: invite.status,
      createdAt: invite.createdAt,
      expiresAt: invite.expiresAt,
    };
    try {
      return await this.runTransaction(async (s): Promise<CreateInviteOutcome> => {
        if (invite.chatId !== null) {
          const chat = await this.c.chats.findOneAndUpdate({ _id: invite.chatId, memberIds: invite.fromId }, { $inc: { version: 1 } }, { session: s });
          if (!chat) return 'gone';
        }
        await this.c.invites.insertOne({ ...doc }, { session: s });
        return 'created';
      });
    } catch (err) {
      if (isDuplicateKey(err) && invite.status === 'pending') return 'already_invited';
      throw err;
    }
  }

  async getInvite(inviteId: string): Promise<InviteRecord | null> {
    const d = await this.c.invites.findOne({ _id: inviteId });
    return d ? toInvite(d) : null;
  }

  async findPendingInvite(fromId: string, toId: string, targetKey: string): Promise<InviteRecord | null> {
    const d = await this.c.invites.findOne({ targetKey, status: 'pending', fromId, toId });
    return d ? toInvite(d) : null;
  }

  async pendingInvitesOf(userId: string): Promise<{ incoming: InviteRecord[]; outgoing: InviteRecord[] }> {
    const [incoming, outgoing] = await Promise.all([
      this.c.invites.find({ toId: userId, status: 'pending' }).sort({ createdAt: 1, _id: 1 }).toArray(),
      this.c.invites.find({ fromId: userId, status: 'pending' }).sort({ createdAt: 1, _id: 1 }).toArray(),
    ]);
    return { incoming: incoming.map(toInvite), outgoing: outgoing.map(toInvite) };
  }

  async pendingInvitesByTarget(targetKey: string, fromId?: string): Promise<InviteRecord[]> {
    const filter = fromId === undefined ? { targetKey, status: 'pending' as const } : { targetKey, status: 'pending' as const, fromId };
    const docs = await this.c.invites.find(filter).sort({ createdAt: 1, _id: 1 }).toArray();
    return docs.map(toInvite);
  }

  async closeInvite(inviteId: string, status: Exclude<InviteStatus, 'pending'>): Promise<boolean> {
    const r = await this.c.invites.updateOne({ _id: inviteId, status: 'pending' }, { $set: { status } });
    return r.modifiedCount === 1;
  }

  async expireInvites(now: string): Promise<InviteRecord[]> {
    const due = await this.c.invites.find({ status: 'pending', expiresAt: { $lte: now } }).sort({ expiresAt: 1, _id: 1 }).toArray();
    const expired: InviteRecord[] = [];
    // Each closes by compare-and-set, so with several relays each invite is reported
    // (and its invite:closed sent) by exactly one of them.
    for (const d of due) {
      if (await this.closeInvite(d._id, 'expired')) expired.push(toInvite({ ...d, status: 'expired' }));
    }
    return expired;
  }

  async removeStale(now: string, closedBefore: string): Promise<StaleRemoved> {
    // Expired tokens also leave by the TTL index on expireAt; this catches what the
    // server's TTL monitor has not reached yet.
    const tokens = await this.c.tokens.deleteMany({ expiresAt: { $lte: now } });
    const invites = await this.c.invites.deleteMany({ status: { $ne: 'pending' }, expiresAt: { $lt: closedBefore } });
    // A deleted chat's messages go right after its transaction (deleteMessagesOf);
    // a crash in between leaves them, found here by their missing chat.
    const chatIds = await this.c.messages.distinct('chatId');
    const live = new Set((await this.c.chats.find({ _id: { $in: chatIds } }, { projection: { _id: 1 } }).toArray()).map((c) => c._id));
    const gone = chatIds.filter((id) => !live.has(id));
    const messages = gone.length ? (await this.c.messages.deleteMany({ chatId: { $in: gone } })).deletedCount : 0;
    return { tokens: tokens.deletedCount, invites: invites.deletedCount, messages };
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
