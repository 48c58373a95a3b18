// The MongoDB backend of the Store interface, for running several relay processes on
// one database. Every write waits for a journaled majority (durable before the relay
// acks), and every cross-process race (seq allocation, invite closing, membership
// changes) is settled by one atomic single-document operation, so no transactions and
// no replica set are required for correctness.
import { MongoClient, MongoServerError, type Collection, type Db, type WriteConcernSettings } from 'mongodb';
import type { ChatKind, InviteStatus } from '../../protocol/types';
import type {
  AppendResult,
  ChatRecord,
  Credentials,
  FriendLists,
  FriendState,
  HistoryPage,
  HistoryQuery,
  InviteRecord,
  MembershipRecord,
  MessageRecord,
  NewMessage,
  StaleRemoved,
  Store,
  UserRecord,
} from './types';

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
  reads: Collection<ReadDoc>;
  messages: Collection<MessageDoc>;
  invites: Collection<InviteDoc>;
}

/** Acknowledged only once journaled on a majority: a crash after the ack loses nothing. */
const DURABLE: WriteConcernSettings = { w: 'majority', journal: true };

/** Membership updates are compare-and-set; contention is a handful of people clicking. */
const MAX_CAS_ATTEMPTS = 50;

const DEFAULT_DB_NAME = 'relaychat';

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
  return { id: d._id, chatId: d.chatId, seq: d.seq, senderId: d.senderId, body: d.body, clientMsgId: d.clientMsgId, createdAt: d.createdAt };
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

/**
 * One createIndexes command per collection (collections in parallel): creating several
 * indexes at once on a collection that does not exist yet would race its creation.
 */
async function ensureIndexes(c: Collections): Promise<void> {
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
    ]),
  ]);
}

export async function openMongoStore(uri: string, dbName?: string): Promise<Store> {
  const client = new MongoClient(uri, { writeConcern: DURABLE });
  let db: Db;
  let cols: Collections;
  try {
    await client.connect();
    db = client.db(dbName ?? dbNameFromUri(uri) ?? DEFAULT_DB_NAME, { writeConcern: DURABLE });
    cols = {
      users: db.collection<UserDoc>('users'),
      tokens: db.collection<TokenDoc>('tokens'),
      friendRequests: db.collection<FriendRequestDoc>('friendRequests'),
      friendships: db.collection<FriendshipDoc>('friendships'),
      chats: db.collection<ChatDoc>('chats'),
      reads: db.collection<ReadDoc>('reads'),
      messages: db.collection<MessageDoc>('messages'),
      invites: db.collection<InviteDoc>('invites'),
    };
    await ensureIndexes(cols);
  } catch (err) {
    await client.close();
    throw err;
  }
  return closeAfterInFlight(new MongoStore(client, db, cols));
}

/**
 * The store as handed out: close() waits for every operation already started (an
 * append that was called is finished and durable, as with SQLite) and refuses new
 * ones, since the driver would otherwise quietly reconnect a closed client.
 */
function closeAfterInFlight(inner: MongoStore): Store {
  const inFlight = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;
  const run =
    <A extends unknown[], R>(op: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (closing) return Promise.reject(new Error('store closed'));
      const p = op.apply(inner, args);
      inFlight.add(p);
      const forget = () => inFlight.delete(p);
      p.then(forget, forget);
      return p;
    };
  return {
    kind: inner.kind,
    createUser: run(inner.createUser),
    getCredentials: run(inner.getCredentials),
    getUserByUsername: run(inner.getUserByUsername),
    getUsers: run(inner.getUsers),
    createToken: run(inner.createToken),
    findToken: run(inner.findToken),
    deleteToken: run(inner.deleteToken),
    friendState: run(inner.friendState),
    addFriendRequest: run(inner.addFriendRequest),
    removeFriendRequest: run(inner.removeFriendRequest),
    makeFriends: run(inner.makeFriends),
    removeFriendship: run(inner.removeFriendship),
    friendLists: run(inner.friendLists),
    friendIds: run(inner.friendIds),
    getChat: run(inner.getChat),
    findDirectChat: run(inner.findDirectChat),
    createChat: run(inner.createChat),
    addMembers: run(inner.addMembers),
    removeMember: run(inner.removeMember),
    deleteChat: run(inner.deleteChat),
    chatsOf: run(inner.chatsOf),
    findChatByMembers: run(inner.findChatByMembers),
    markRead: run(inner.markRead),
    getReadSeq: run(inner.getReadSeq),
    appendMessage: run(inner.appendMessage),
    appendMessages: run(inner.appendMessages),
    history: run(inner.history),
    createInvite: run(inner.createInvite),
    getInvite: run(inner.getInvite),
    findPendingInvite: run(inner.findPendingInvite),
    pendingInvitesOf: run(inner.pendingInvitesOf),
    pendingInvitesByTarget: run(inner.pendingInvitesByTarget),
    closeInvite: run(inner.closeInvite),
    expireInvites: run(inner.expireInvites),
    removeStale: run(inner.removeStale),
    ping: run(inner.ping),
    close() {
      closing ??= (async () => {
        await Promise.allSettled(inFlight);
        await inner.close();
      })();
      return closing;
    },
  };
}

class MongoStore implements Store {
  readonly kind = 'mongo' as const;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly c: Collections,
  ) {}

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
   * together and concurrent joins/leaves on other processes are never lost.
   * Returns the chat after, or null when there is no such chat.
   */
  private async updateMembers(chatId: string, change: (current: string[]) => string[]): Promise<ChatRecord | null> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const doc = await this.c.chats.findOne({ _id: chatId });
      if (!doc) return null;
      const next = change(doc.memberIds);
      if (next === doc.memberIds) return toChat(doc);
      const updated = await this.c.chats.findOneAndUpdate(
        { _id: chatId, memberIds: { $eq: doc.memberIds } },
        { $set: { memberIds: next, memberKey: memberKeyOf(next) } },
        { returnDocument: 'after' },
      );
      if (updated) return toChat(updated);
    }
    throw new Error(`membership of chat ${chatId} kept changing; gave up after ${MAX_CAS_ATTEMPTS} attempts`);
  }

  async deleteChat(chatId: string): Promise<void> {
    // The chat first: once it is gone no new message can get a seq in it. An append that
    // took its seq just before could still insert after the deleteMany; that message is
    // unreachable (no chat has this id again), which is why this needs no transaction.
    await this.c.chats.deleteOne({ _id: chatId });
    await this.c.messages.deleteMany({ chatId });
    await this.c.reads.deleteMany({ chatId });
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

  /** Per chat, the tail of the appends this process has in flight (see appendMessage). */
  private readonly chatTails = new Map<string, Promise<unknown>>();

  /**
   * Appends of one chat from this process run one after another, in call order. The
   * relay hands one socket's messages to the store in send order, and concurrent
   * driver operations may finish in any order, so without this a later message could
   * take the smaller seq, or be visible in history before an earlier one is inserted.
   */
  appendMessage(msg: NewMessage, id: string): Promise<AppendResult> {
    const prev = this.chatTails.get(msg.chatId) ?? Promise.resolve();
    const run = prev.then(() => this.appendNow(msg, id));
    const tail = run.catch(() => undefined);
    this.chatTails.set(msg.chatId, tail);
    void tail.then(() => {
      if (this.chatTails.get(msg.chatId) === tail) this.chatTails.delete(msg.chatId);
    });
    return run;
  }

  private async appendNow(msg: NewMessage, id: string): Promise<AppendResult> {
    const original = await this.findByClientMsgId(msg);
    if (original) return { message: original, duplicate: true };

    const chat = await this.c.chats.findOneAndUpdate({ _id: msg.chatId }, { $inc: { lastSeq: 1 } }, { returnDocument: 'after' });
    if (!chat) throw new Error(`appendMessage: no chat ${msg.chatId}`);
    const doc: MessageDoc = {
      _id: id,
      chatId: msg.chatId,
      seq: chat.lastSeq,
      senderId: msg.senderId,
      body: msg.body,
      clientMsgId: msg.clientMsgId,
      createdAt: msg.createdAt,
    };
    try {
      await this.c.messages.insertOne(doc);
      return { message: toMessage(doc), duplicate: false };
    } catch (err) {
      // The same message raced in from another socket or process after our check. The
      // seq we took stays unused: seqs are strictly increasing, not gapless.
      if (isDuplicateKey(err)) {
        const raced = await this.findByClientMsgId(msg);
        if (raced) return { message: raced, duplicate: true };
      }
      throw err;
    }
  }

  private async findByClientMsgId(msg: NewMessage): Promise<MessageRecord | null> {
    const d = await this.c.messages.findOne({ chatId: msg.chatId, senderId: msg.senderId, clientMsgId: msg.clientMsgId });
    return d ? toMessage(d) : null;
  }

  /**
   * Appends one after another, each durable on its own before the next: MongoDB has no
   * single commit across documents without a transaction (which needs a replica set).
   * A crash midway keeps a prefix of the batch, in order, and a retry of the batch
   * de-duplicates that prefix by clientMsgId.
   */
  async appendMessages(batch: { msg: NewMessage; id: string }[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const { msg, id } of batch) results.push(await this.appendMessage(msg, id));
    return results;
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

  async createInvite(invite: InviteRecord): Promise<void> {
    await this.c.invites.insertOne({
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
    });
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
    // An append that took its seq just before its chat was deleted can insert after
    // deleteChat's deleteMany (see there): such messages are found by their missing chat.
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
