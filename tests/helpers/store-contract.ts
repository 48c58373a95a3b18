// The behaviour every Store backend must share. Called inside one describe per backend,
// so SQLite and MongoDB answer exactly the same questions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ChatRecord, InviteRecord, NewMessage, Store, UserRecord } from '../../relay/store/types';

export interface StoreBackend {
  kind: Store['kind'];
  /** Opens the store kept in `dir`; opening the same dir again reopens the same data. */
  open(dir: string): Promise<Store>;
  /** Removes whatever open(dir) created outside dir itself (e.g. a database). */
  destroy?(dir: string): Promise<void>;
}

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
/** An ISO time `s` seconds after a fixed origin, so expiry tests never race the clock. */
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

const newId = (): string => randomUUID();
const byId = <T extends { id: string }>(xs: T[]): T[] => [...xs].sort((a, b) => a.id.localeCompare(b.id));
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** A pending direct invite from `fromId` to `toId` (not stored), with `over` applied. */
export function inviteRecord(fromId: string, toId: string, over: Partial<InviteRecord> = {}): InviteRecord {
  const pair = fromId < toId ? `${fromId}:${toId}` : `${toId}:${fromId}`;
  return {
    id: newId(),
    fromId,
    toId,
    chatId: null,
    kind: 'direct',
    targetKey: `pair:${pair}`,
    memberIds: [fromId],
    status: 'pending',
    createdAt: at(0),
    expiresAt: at(300),
    ...over,
  };
}

export function defineStoreContract(backend: StoreBackend): void {
  let dir: string;
  let store: Store;
  /** Every store this test opened, so a failed reopen still closes the first one. */
  let opened: Store[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
    opened = [];
    store = await backend.open(dir);
    opened.push(store);
  });

  afterEach(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    await backend.destroy?.(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Closes the store (again, if the test closed it already) and opens the same data. */
  async function reopen(): Promise<Store> {
    await store.close();
    store = await backend.open(dir);
    opened.push(store);
    return store;
  }

  async function user(name: string): Promise<UserRecord> {
    const u: UserRecord = { id: newId(), username: name, displayName: name.toUpperCase(), createdAt: at(0) };
    const created = await store.createUser(u, `hash-${name}`, `salt-${name}`);
    expect(created).toEqual(u);
    return u;
  }

  async function users(...names: string[]): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const n of names) out.push(await user(n));
    return out;
  }

  function group(memberIds: string[]): Promise<ChatRecord> {
    return store.createChat({ id: newId(), kind: 'group', pairKey: null, createdAt: at(0) }, memberIds);
  }

  function pairKeyOf(a: string, b: string): string {
    return a < b ? `${a}:${b}` : `${b}:${a}`;
  }

  function direct(a: string, b: string, memberIds = [a, b], id = newId()): Promise<ChatRecord> {
    return store.createChat({ id, kind: 'direct', pairKey: pairKeyOf(a, b), createdAt: at(0) }, memberIds);
  }

  function msg(chatId: string, senderId: string, clientMsgId: string, body = `body of ${clientMsgId}`): NewMessage {
    return { chatId, senderId, clientMsgId, body, createdAt: at(1) };
  }

  const invite = inviteRecord;

  async function seqsOf(chatId: string): Promise<number[]> {
    const page = await store.history(chatId, { limit: 200 });
    return page.messages.map((m) => m.seq);
  }

  it('reports its kind', () => {
    expect(store.kind).toBe(backend.kind);
  });

  // ---------------------------------------------------------------- users and tokens

  it('creates users and finds them by username and by id', async () => {
    const [alice, bob] = await users('alice', 'bob');
    expect(await store.getUserByUsername('alice')).toEqual(alice);
    expect(await store.getUserByUsername('nobody')).toBeNull();
    // The relay lower-cases usernames before they reach the store; the store matches exactly.
    expect(byId(await store.getUsers([alice.id, bob.id, 'no-such-id']))).toEqual(byId([alice, bob]));
    expect(await store.getUsers([])).toEqual([]);
  });

  it('refuses a taken username with null and keeps the first user', async () => {
    const alice = await user('alice');
    const again: UserRecord = { id: newId(), username: 'alice', displayName: 'Impostor', createdAt: at(5) };
    expect(await store.createUser(again, 'other-hash', 'other-salt')).toBeNull();
    expect(await store.getUserByUsername('alice')).toEqual(alice);
    expect(await store.getUsers([again.id])).toEqual([]);
    const creds = await store.getCredentials('alice');
    expect(creds).toEqual({ user: alice, passwordHash: 'hash-alice', salt: 'salt-alice' });
  });

  it('returns credentials only for an existing username', async () => {
    const bob = await user('bob');
    expect(await store.getCredentials('bob')).toEqual({ user: bob, passwordHash: 'hash-bob', salt: 'salt-bob' });
    expect(await store.getCredentials('carol')).toBeNull();
  });

  it('finds a token until it expires and not after it is deleted', async () => {
    const alice = await user('alice');
    await store.createToken('tok-hash-1', alice.id, at(100));
    await store.createToken('tok-hash-2', alice.id, at(100));
    expect(await store.findToken('tok-hash-1', at(0))).toBe(alice.id);
    expect(await store.findToken('tok-hash-1', at(99))).toBe(alice.id);
    expect(await store.findToken('tok-hash-1', at(101))).toBeNull();
    expect(await store.findToken('unknown-hash', at(0))).toBeNull();

    expect(await store.deleteToken('tok-hash-1')).toBe(true);
    expect(await store.deleteToken('tok-hash-1')).toBe(false);
    expect(await store.findToken('tok-hash-1', at(0))).toBeNull();
    // Deleting one token (a logout) leaves the user's other sessions alone.
    expect(await store.findToken('tok-hash-2', at(0))).toBe(alice.id);
  });

  // ---------------------------------------------------------------- friends

  it('tracks a friend request from both sides', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    expect(await store.friendState(a.id, b.id)).toBe('none');
    await store.addFriendRequest(a.id, b.id);
    await store.addFriendRequest(a.id, b.id); // asking twice is still one request
    await store.addFriendRequest(c.id, a.id);
    expect(await store.friendState(a.id, b.id)).toBe('outgoing');
    expect(await store.friendState(b.id, a.id)).toBe('incoming');
    expect(await store.friendState(a.id, c.id)).toBe('incoming');
    expect(await store.friendState(b.id, c.id)).toBe('none');

    expect(await store.friendLists(a.id)).toEqual({ friendIds: [], incomingIds: [c.id], outgoingIds: [b.id] });
    expect(await store.friendLists(b.id)).toEqual({ friendIds: [], incomingIds: [a.id], outgoingIds: [] });

    expect(await store.removeFriendRequest(a.id, b.id)).toBe(true);
    expect(await store.removeFriendRequest(a.id, b.id)).toBe(false);
    expect(await store.removeFriendRequest(a.id, c.id)).toBe(false); // wrong direction
    expect(await store.friendState(a.id, b.id)).toBe('none');
    expect(await store.friendState(a.id, c.id)).toBe('incoming');
  });

  it('makes friends symmetric, clears requests both ways, and removes the friendship', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    await store.addFriendRequest(a.id, b.id);
    await store.addFriendRequest(b.id, a.id);
    await store.addFriendRequest(c.id, a.id);
    await store.makeFriends(b.id, a.id);

    expect(await store.friendState(a.id, b.id)).toBe('friends');
    expect(await store.friendState(b.id, a.id)).toBe('friends');
    expect(await store.friendLists(a.id)).toEqual({ friendIds: [b.id], incomingIds: [c.id], outgoingIds: [] });
    expect(await store.friendLists(b.id)).toEqual({ friendIds: [a.id], incomingIds: [], outgoingIds: [] });
    expect(await store.removeFriendRequest(a.id, b.id)).toBe(false);
    expect(await store.removeFriendRequest(b.id, a.id)).toBe(false);

    await store.makeFriends(a.id, c.id);
    expect(sorted(await store.friendIds(a.id))).toEqual(sorted([b.id, c.id]));
    expect(await store.friendIds(c.id)).toEqual([a.id]);

    expect(await store.removeFriendship(b.id, a.id)).toBe(true);
    expect(await store.removeFriendship(a.id, b.id)).toBe(false);
    expect(await store.friendState(a.id, b.id)).toBe('none');
    expect(await store.friendState(b.id, a.id)).toBe('none');
    expect(await store.friendIds(a.id)).toEqual([c.id]);
    expect(await store.friendIds(b.id)).toEqual([]);
  });

  // ---------------------------------------------------------------- chats and membership

  it('creates a group chat with its members in join order', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const chat = await group([c.id, a.id, b.id]);
    expect(chat).toMatchObject({ kind: 'group', pairKey: null, lastSeq: 0, memberIds: [c.id, a.id, b.id] });
    expect(await store.getChat(chat.id)).toEqual(chat);
    expect(await store.getChat('no-such-chat')).toBeNull();
  });

  it('keeps one direct chat per pair: creating it again returns the existing one with members added', async () => {
    const [a, b] = await users('alice', 'bob');
    const first = await direct(a.id, b.id, [a.id]);
    expect(first).toMatchObject({ kind: 'direct', pairKey: pairKeyOf(a.id, b.id), memberIds: [a.id] });
    expect(await store.findDirectChat(pairKeyOf(a.id, b.id))).toEqual(first);

    const second = await direct(a.id, b.id, [b.id, a.id]);
    expect(second.id).toBe(first.id);
    expect(second.memberIds).toEqual([a.id, b.id]);
    expect(await store.getChat(first.id)).toEqual(second);
    expect(await store.findDirectChat('x:y')).toBeNull();
  });

  it('adds and removes members, keeping join order', async () => {
    const [a, b, c, d] = await users('alice', 'bob', 'carol', 'dave');
    const chat = await group([a.id, b.id]);

    const added = await store.addMembers(chat.id, [d.id, b.id, c.id]);
    expect(added?.memberIds).toEqual([a.id, b.id, d.id, c.id]);
    expect((await store.addMembers(chat.id, [a.id]))?.memberIds).toEqual([a.id, b.id, d.id, c.id]);
    expect(await store.addMembers('no-such-chat', [a.id])).toBeNull();

    const removed = await store.removeMember(chat.id, b.id);
    expect(removed?.memberIds).toEqual([a.id, d.id, c.id]);
    expect(await store.removeMember(chat.id, b.id)).toBeNull();
    expect(await store.removeMember('no-such-chat', a.id)).toBeNull();

    // A member who comes back joins at the end.
    expect((await store.addMembers(chat.id, [b.id]))?.memberIds).toEqual([a.id, d.id, c.id, b.id]);
    expect((await store.getChat(chat.id))?.memberIds).toEqual([a.id, d.id, c.id, b.id]);
  });

  it('finds a chat by its exact member set only', async () => {
    const [a, b, c, d] = await users('alice', 'bob', 'carol', 'dave');
    const abc = await group([a.id, b.id, c.id]);
    const ab = await direct(a.id, b.id);

    expect((await store.findChatByMembers([c.id, a.id, b.id]))?.id).toBe(abc.id);
    expect((await store.findChatByMembers([b.id, a.id]))?.id).toBe(ab.id);
    expect(await store.findChatByMembers([a.id, c.id])).toBeNull(); // subset
    expect(await store.findChatByMembers([a.id, b.id, c.id, d.id])).toBeNull(); // superset
    expect(await store.findChatByMembers([a.id, d.id])).toBeNull();

    // Membership changes move the chat to its new set.
    await store.removeMember(abc.id, c.id);
    await store.addMembers(abc.id, [d.id]);
    expect(await store.findChatByMembers([a.id, b.id, c.id])).toBeNull();
    expect((await store.findChatByMembers([a.id, b.id, d.id]))?.id).toBe(abc.id);

    // A deleted chat is no longer found.
    await store.deleteChat(abc.id);
    expect(await store.findChatByMembers([a.id, b.id, d.id])).toBeNull();
    expect((await store.findChatByMembers([a.id, b.id]))?.id).toBe(ab.id);
  });

  it('deletes a chat with all its messages and read positions', async () => {
    const [a, b] = await users('alice', 'bob');
    const chat = await group([a.id, b.id]);
    const other = await group([a.id, b.id]);
    await store.appendMessage(msg(chat.id, a.id, 'm1'), newId());
    await store.appendMessage(msg(chat.id, b.id, 'm2'), newId());
    await store.appendMessage(msg(other.id, b.id, 'm1'), newId());
    await store.markRead(chat.id, a.id, 2);

    await store.deleteChat(chat.id);
    expect(await store.getChat(chat.id)).toBeNull();
    expect(await store.history(chat.id, { limit: 50 })).toEqual({ messages: [], hasMore: false });
    expect((await store.chatsOf(a.id)).map((m) => m.chat.id)).toEqual([other.id]);
    expect(await store.getReadSeq(chat.id, a.id)).toBe(0);
    // The other chat is untouched.
    expect(await seqsOf(other.id)).toEqual([1]);
  });

  it('lists the active chats of a user with their read positions', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const g = await group([a.id, b.id, c.id]);
    const ab = await direct(a.id, b.id);
    const bc = await direct(b.id, c.id);
    for (let i = 1; i <= 3; i++) await store.appendMessage(msg(g.id, b.id, `g${i}`), newId());
    await store.appendMessage(msg(ab.id, b.id, 'ab1'), newId());
    await store.markRead(g.id, a.id, 2);

    const mine = byId((await store.chatsOf(a.id)).map((m) => ({ id: m.chat.id, lastSeq: m.chat.lastSeq, readSeq: m.readSeq })));
    expect(mine).toEqual(
      byId([
        { id: g.id, lastSeq: 3, readSeq: 2 },
        { id: ab.id, lastSeq: 1, readSeq: 0 },
      ]),
    );
    const full = (await store.chatsOf(a.id)).find((m) => m.chat.id === g.id);
    expect(full?.chat).toEqual(await store.getChat(g.id));

    // Leaving drops the chat from the list; an inactive direct chat is nobody's.
    await store.removeMember(bc.id, b.id);
    await store.removeMember(bc.id, c.id);
    expect(sorted((await store.chatsOf(b.id)).map((m) => m.chat.id))).toEqual(sorted([g.id, ab.id]));
    expect((await store.chatsOf(c.id)).map((m) => m.chat.id)).toEqual([g.id]);
    expect(await store.getChat(bc.id)).toMatchObject({ memberIds: [] });
    expect(await store.chatsOf('no-such-user')).toEqual([]);
  });

  it('moves the read position forward only, capped at the last seq', async () => {
    const [a, b] = await users('alice', 'bob');
    const chat = await group([a.id, b.id]);
    for (let i = 1; i <= 5; i++) await store.appendMessage(msg(chat.id, b.id, `m${i}`), newId());

    expect(await store.getReadSeq(chat.id, a.id)).toBe(0);
    expect(await store.markRead(chat.id, a.id, 3)).toBe(3);
    expect(await store.markRead(chat.id, a.id, 1)).toBe(3); // never back
    expect(await store.getReadSeq(chat.id, a.id)).toBe(3);
    expect(await store.markRead(chat.id, a.id, 99)).toBe(5); // not past the last message
    expect(await store.getReadSeq(chat.id, a.id)).toBe(5);
    expect(await store.getReadSeq(chat.id, b.id)).toBe(0); // per user

    await store.appendMessage(msg(chat.id, b.id, 'm6'), newId());
    expect(await store.markRead(chat.id, a.id, 6)).toBe(6);
    expect(await store.markRead(chat.id, b.id, 4)).toBe(4);
    expect(await store.getReadSeq(chat.id, a.id)).toBe(6);
    expect(await store.markRead('no-such-chat', a.id, 3)).toBe(0);
    expect(await store.getReadSeq('no-such-chat', a.id)).toBe(0);
  });

  it('keeps a read position across leaving and rejoining a direct chat', async () => {
    const [a, b] = await users('alice', 'bob');
    const chat = await direct(a.id, b.id);
    for (let i = 1; i <= 4; i++) await store.appendMessage(msg(chat.id, b.id, `m${i}`), newId());
    await store.markRead(chat.id, a.id, 3);
    await store.removeMember(chat.id, a.id);
    await store.appendMessage(msg(chat.id, b.id, 'm5'), newId());
    await direct(a.id, b.id, [a.id]);
    const mine = (await store.chatsOf(a.id)).find((m) => m.chat.id === chat.id);
    expect(mine).toMatchObject({ readSeq: 3, chat: { lastSeq: 5, memberIds: [b.id, a.id] } });
  });

  // ---------------------------------------------------------------- messages

  it('gives messages seq 1, 2, 3 and advances lastSeq', async () => {
    const [a, b] = await users('alice', 'bob');
    const chat = await group([a.id, b.id]);
    const ids = [newId(), newId(), newId()];
    const r1 = await store.appendMessage(msg(chat.id, a.id, 'c1', 'hello'), ids[0]);
    const r2 = await store.appendMessage(msg(chat.id, b.id, 'c2', 'hi'), ids[1]);
    const r3 = await store.appendMessage(msg(chat.id, a.id, 'c3', 'how are you'), ids[2]);

    expect(r1).toEqual({
      duplicate: false,
      message: { id: ids[0], chatId: chat.id, seq: 1, kind: 'text', senderId: a.id, body: 'hello', clientMsgId: 'c1', createdAt: at(1) },
    });
    expect([r2, r3].map((r) => [r.message.seq, r.duplicate, r.message.id])).toEqual([
      [2, false, ids[1]],
      [3, false, ids[2]],
    ]);
    expect((await store.getChat(chat.id))?.lastSeq).toBe(3);
    expect((await store.history(chat.id, { limit: 50 })).messages).toEqual([r1.message, r2.message, r3.message]);
  });

  it('refuses an append to a missing chat without disturbing appends beside it', async () => {
    const [a] = await users('alice');
    const chat = await group([a.id]);
    const outcomes = await Promise.allSettled([
      store.appendMessage(msg(chat.id, a.id, 'ok1'), newId()),
      store.appendMessage(msg('no-such-chat', a.id, 'lost'), newId()),
      store.appendMessage(msg(chat.id, a.id, 'ok2'), newId()),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await seqsOf(chat.id)).toEqual([1, 2]);
    expect(await store.history('no-such-chat', { limit: 50 })).toEqual({ messages: [], hasMore: false });
  });

  it('returns the original for a repeated clientMsgId from the same sender, consuming no seq', async () => {
    const [a, b] = await users('alice', 'bob');
    const chat = await group([a.id, b.id]);
    const original = await store.appendMessage(msg(chat.id, a.id, 'same', 'first'), newId());
    const again = await store.appendMessage(msg(chat.id, a.id, 'same', 'retried body'), newId());
    expect(again).toEqual({ message: original.message, duplicate: true });

    const next = await store.appendMessage(msg(chat.id, a.id, 'next'), newId());
    expect(next.message.seq).toBe(2);
    const page = await store.history(chat.id, { limit: 50 });
    expect(page.messages.map((m) => [m.seq, m.clientMsgId, m.body])).toEqual([
      [1, 'same', 'first'],
      [2, 'next', 'body of next'],
    ]);
  });

  it('treats the same clientMsgId from another sender or in another chat as a new message', async () => {
    const [a, b] = await users('alice', 'bob');
    const chat = await group([a.id, b.id]);
    const other = await group([a.id, b.id]);
    const fromA = await store.appendMessage(msg(chat.id, a.id, 'cid'), newId());
    const fromB = await store.appendMessage(msg(chat.id, b.id, 'cid'), newId());
    const elsewhere = await store.appendMessage(msg(other.id, a.id, 'cid'), newId());

    expect([fromA, fromB, elsewhere].map((r) => r.duplicate)).toEqual([false, false, false]);
    expect([fromA.message.seq, fromB.message.seq, elsewhere.message.seq]).toEqual([1, 2, 1]);
    expect(await seqsOf(chat.id)).toEqual([1, 2]);
    expect(await seqsOf(other.id)).toEqual([1]);
  });

  it('appends a batch in order, de-duplicating within it and against earlier messages', async () => {
    const [a, b] = await users('alice', 'bob');
    const chat = await group([a.id, b.id]);
    const earlier = await store.appendMessage(msg(chat.id, a.id, 'q0'), newId());

    const batch = ['q1', 'q2', 'q0', 'q3', 'q1'].map((cid) => ({ msg: msg(chat.id, a.id, cid), id: newId() }));
    const results = await store.appendMessages(batch);
    expect(results.map((r) => [r.message.clientMsgId, r.message.seq, r.duplicate])).toEqual([
      ['q1', 2, false],
      ['q2', 3, false],
      ['q0', 1, true],
      ['q3', 4, false],
      ['q1', 2, true],
    ]);
    expect(results[2].message).toEqual(earlier.message);
    expect(results[4].message).toEqual(results[0].message);
    expect(results[0].message.id).toBe(batch[0].id);

    const page = await store.history(chat.id, { limit: 50 });
    expect(page.messages.map((m) => m.clientMsgId)).toEqual(['q0', 'q1', 'q2', 'q3']);
    expect(await store.appendMessages([])).toEqual([]);
  });

  it('gives 200 concurrent appends from 4 senders unique, increasing seqs', async () => {
    const senders = await users('s1', 's2', 's3', 's4');
    const chat = await group(senders.map((s) => s.id));
    const jobs = Array.from({ length: 200 }, (_, i) => {
      const sender = senders[i % 4];
      return store.appendMessage(msg(chat.id, sender.id, `${sender.username}-${i}`), newId());
    });
    const results = await Promise.all(jobs);

    expect(results.every((r) => !r.duplicate)).toBe(true);
    const seqs = results.map((r) => r.message.seq);
    expect(new Set(seqs).size).toBe(200);
    expect(seqs.every((s) => Number.isInteger(s) && s >= 1)).toBe(true);

    const all = await store.history(chat.id, { limit: 200 });
    expect(all.hasMore).toBe(false);
    expect(all.messages).toHaveLength(200);
    for (let i = 1; i < all.messages.length; i++) expect(all.messages[i].seq).toBeGreaterThan(all.messages[i - 1].seq);
    expect(new Set(all.messages.map((m) => m.clientMsgId)).size).toBe(200);
    expect(sorted(all.messages.map((m) => m.id))).toEqual(sorted(results.map((r) => r.message.id)));
    expect((await store.getChat(chat.id))?.lastSeq).toBeGreaterThanOrEqual(Math.max(...seqs));
  });

  it('stores a clientMsgId sent concurrently many times exactly once', async () => {
    const [a] = await users('alice');
    const chat = await group([a.id]);
    const results = await Promise.all(Array.from({ length: 10 }, () => store.appendMessage(msg(chat.id, a.id, 'retry'), newId())));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const original = results.find((r) => !r.duplicate)?.message;
    for (const r of results) expect(r.message).toEqual(original);
    const page = await store.history(chat.id, { limit: 50 });
    expect(page.messages).toEqual([original]);
  });

  it('pages history backwards and forwards in ascending seq with hasMore', async () => {
    const [a, b] = await users('alice', 'bob');
    const chat = await group([a.id, b.id]);
    const batch = Array.from({ length: 120 }, (_, i) => ({ msg: msg(chat.id, i % 2 ? b.id : a.id, `m${i + 1}`), id: newId() }));
    await store.appendMessages(batch);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const page = async (q: { before?: number; after?: number; limit: number }) => {
      const p = await store.history(chat.id, q);
      return { seqs: p.messages.map((m) => m.seq), hasMore: p.hasMore };
    };

    // Backwards from the newest.
    expect(await page({ limit: 50 })).toEqual({ seqs: range(71, 120), hasMore: true });
    expect(await page({ before: 71, limit: 50 })).toEqual({ seqs: range(21, 70), hasMore: true });
    expect(await page({ before: 21, limit: 50 })).toEqual({ seqs: range(1, 20), hasMore: false });
    expect(await page({ before: 51, limit: 50 })).toEqual({ seqs: range(1, 50), hasMore: false });
    expect(await page({ before: 1, limit: 50 })).toEqual({ seqs: [], hasMore: false });
    expect(await page({ limit: 120 })).toEqual({ seqs: range(1, 120), hasMore: false });
    expect(await page({ limit: 119 })).toEqual({ seqs: range(2, 120), hasMore: true });

    // Forwards, as a reconnecting client catches up.
    expect(await page({ after: 0, limit: 50 })).toEqual({ seqs: range(1, 50), hasMore: true });
    expect(await page({ after: 50, limit: 50 })).toEqual({ seqs: range(51, 100), hasMore: true });
    expect(await page({ after: 100, limit: 50 })).toEqual({ seqs: range(101, 120), hasMore: false });
    expect(await page({ after: 70, limit: 50 })).toEqual({ seqs: range(71, 120), hasMore: false });
    expect(await page({ after: 120, limit: 50 })).toEqual({ seqs: [], hasMore: false });

    const p = await store.history(chat.id, { after: 3, limit: 2 });
    expect(p.messages.map((m) => [m.seq, m.clientMsgId, m.senderId])).toEqual([
      [4, 'm4', b.id],
      [5, 'm5', a.id],
    ]);
    expect(await store.history('no-such-chat', { limit: 50 })).toEqual({ messages: [], hasMore: false });
  });

  // ---------------------------------------------------------------- invites

  it('creates invites and finds the pending ones by pair, user and target', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const g = await group([a.id, b.id]);
    const toB = invite(a.id, b.id, { createdAt: at(1) });
    const toCGroup = invite(a.id, c.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: [a.id, b.id], createdAt: at(2) });
    const bToCGroup = invite(b.id, c.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: [a.id, b.id], createdAt: at(3) });
    const cToA = invite(c.id, a.id, { createdAt: at(4) });
    for (const i of [toB, toCGroup, bToCGroup, cToA]) await store.createInvite(i);

    expect(await store.getInvite(toCGroup.id)).toEqual(toCGroup);
    expect(await store.getInvite('no-such-invite')).toBeNull();

    expect(await store.findPendingInvite(a.id, b.id, toB.targetKey)).toEqual(toB);
    expect(await store.findPendingInvite(a.id, c.id, `chat:${g.id}`)).toEqual(toCGroup);
    expect(await store.findPendingInvite(b.id, a.id, toB.targetKey)).toBeNull(); // other direction
    expect(await store.findPendingInvite(a.id, c.id, `pair:${pairKeyOf(a.id, c.id)}`)).toBeNull(); // other target

    const ofA = await store.pendingInvitesOf(a.id);
    expect(byId(ofA.outgoing)).toEqual(byId([toB, toCGroup]));
    expect(ofA.incoming).toEqual([cToA]);
    const ofC = await store.pendingInvitesOf(c.id);
    expect(byId(ofC.incoming)).toEqual(byId([toCGroup, bToCGroup]));
    expect(ofC.outgoing).toEqual([cToA]);

    expect(byId(await store.pendingInvitesByTarget(`chat:${g.id}`))).toEqual(byId([toCGroup, bToCGroup]));
    expect(await store.pendingInvitesByTarget(`chat:${g.id}`, b.id)).toEqual([bToCGroup]);
    expect(await store.pendingInvitesByTarget(`chat:${g.id}`, c.id)).toEqual([]);
    expect(await store.pendingInvitesByTarget('chat:none')).toEqual([]);

    // A closed invite is no longer pending anywhere, but can still be read.
    expect(await store.closeInvite(toCGroup.id, 'rejected')).toBe(true);
    expect(await store.getInvite(toCGroup.id)).toEqual({ ...toCGroup, status: 'rejected' });
    expect(await store.findPendingInvite(a.id, c.id, `chat:${g.id}`)).toBeNull();
    expect(await store.pendingInvitesByTarget(`chat:${g.id}`)).toEqual([bToCGroup]);
    expect((await store.pendingInvitesOf(a.id)).outgoing).toEqual([toB]);
    expect((await store.pendingInvitesOf(c.id)).incoming).toEqual([bToCGroup]);
  });

  it('closes an invite once: the first close wins, later ones return false', async () => {
    const [a, b] = await users('alice', 'bob');
    const inv = invite(a.id, b.id);
    await store.createInvite(inv);
    expect(await store.closeInvite(inv.id, 'accepted')).toBe(true);
    expect(await store.closeInvite(inv.id, 'cancelled')).toBe(false);
    expect(await store.closeInvite(inv.id, 'accepted')).toBe(false);
    expect((await store.getInvite(inv.id))?.status).toBe('accepted');
    expect(await store.closeInvite('no-such-invite', 'rejected')).toBe(false);
  });

  it('lets exactly one of many concurrent closes win', async () => {
    const [a, b] = await users('alice', 'bob');
    const inv = invite(a.id, b.id);
    await store.createInvite(inv);
    const statuses = ['accepted', 'rejected', 'cancelled', 'expired'] as const;
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => store.closeInvite(inv.id, statuses[i % 4])));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = statuses[outcomes.indexOf(true) % 4];
    expect((await store.getInvite(inv.id))?.status).toBe(winner);
  });

  it('expires only pending invites that are due, and returns them', async () => {
    const [a, b, c, d] = await users('alice', 'bob', 'carol', 'dave');
    const overdue = invite(a.id, b.id, { expiresAt: at(100) });
    const dueNow = invite(a.id, c.id, { expiresAt: at(200) });
    const later = invite(a.id, d.id, { expiresAt: at(201) });
    const closedEarlier = invite(b.id, c.id, { expiresAt: at(50) });
    for (const i of [overdue, dueNow, later, closedEarlier]) await store.createInvite(i);
    await store.closeInvite(closedEarlier.id, 'rejected');

    const expired = await store.expireInvites(at(200));
    expect(byId(expired)).toEqual(byId([{ ...overdue, status: 'expired' }, { ...dueNow, status: 'expired' }]));
    expect((await store.getInvite(overdue.id))?.status).toBe('expired');
    expect((await store.getInvite(dueNow.id))?.status).toBe('expired');
    expect((await store.getInvite(later.id))?.status).toBe('pending');
    expect((await store.getInvite(closedEarlier.id))?.status).toBe('rejected');

    expect(await store.expireInvites(at(200))).toEqual([]);
    expect(await store.closeInvite(overdue.id, 'accepted')).toBe(false);
    expect((await store.pendingInvitesOf(a.id)).outgoing).toEqual([later]);
  });

  // ---------------------------------------------------------------- health and durability

  it('housekeeping removes expired tokens, invites closed long ago and messages of deleted chats, and nothing else', async () => {
    const [a, b] = await users('hka', 'hkb');
    const now = at(40 * 86_400);
    const closedBefore = at(10 * 86_400);
    await store.createToken('token-expired', a!.id, at(100));
    await store.createToken('token-live', a!.id, at(50 * 86_400));
    const oldClosed = invite(a!.id, b!.id, { status: 'rejected', expiresAt: at(300) });
    const oldPending = invite(a!.id, b!.id, { targetKey: 'pair:other', expiresAt: at(300) });
    const recentClosed = invite(b!.id, a!.id, { status: 'cancelled', createdAt: at(20 * 86_400), expiresAt: at(20 * 86_400 + 300) });
    for (const i of [oldClosed, oldPending, recentClosed]) await store.createInvite(i);
    const gone = await group([a!.id, b!.id]);
    await store.appendMessage(msg(gone.id, a!.id, 'hk-1'), newId());
    const kept = await group([a!.id, b!.id]);
    await store.appendMessage(msg(kept.id, a!.id, 'hk-2'), newId());
    await store.deleteChat(gone.id);

    const removed = await store.removeStale(now, closedBefore);
    expect(removed).toMatchObject({ tokens: 1, invites: 1 });
    expect(await store.findToken('token-live', now)).toBe(a!.id);
    expect(await store.findToken('token-expired', at(0))).toBeNull();
    expect(await store.getInvite(oldClosed.id)).toBeNull();
    // A pending invite is the expiry sweep's to close, never housekeeping's to drop.
    expect((await store.getInvite(oldPending.id))?.status).toBe('pending');
    expect((await store.getInvite(recentClosed.id))?.status).toBe('cancelled');
    expect((await store.history(gone.id, { limit: 10 })).messages).toEqual([]);
    expect((await store.history(kept.id, { limit: 10 })).messages.map((m) => m.clientMsgId)).toEqual(['hk-2']);
    // Nothing left to remove the second time.
    expect(await store.removeStale(now, closedBefore)).toEqual({ tokens: 0, invites: 0, messages: 0 });
  });

  it('answers a ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('finishes appends already started when closed, and refuses work after', async () => {
    const [a] = await users('alice');
    const chat = await group([a.id]);
    const started = [1, 2, 3].map((i) => store.appendMessage(msg(chat.id, a.id, `m${i}`), newId()));
    await store.close();
    const results = await Promise.all(started);
    expect(results.map((r) => r.message.seq)).toEqual([1, 2, 3]);
    await expect(store.appendMessage(msg(chat.id, a.id, 'late'), newId())).rejects.toThrow();
    await expect(store.getChat(chat.id)).rejects.toThrow();

    const s = await reopen();
    expect(await seqsOf(chat.id)).toEqual([1, 2, 3]);
    expect((await s.getChat(chat.id))?.lastSeq).toBe(3);
  });

  it('keeps everything across close and reopen', async () => {
    const [a, b] = await users('alice', 'bob');
    await store.createToken('tok', a.id, at(100));
    await store.makeFriends(a.id, b.id);
    const chat = await direct(a.id, b.id);
    await store.appendMessages([1, 2, 3].map((i) => ({ msg: msg(chat.id, a.id, `m${i}`), id: newId() })));
    await store.markRead(chat.id, b.id, 2);
    const inv = invite(b.id, a.id, { chatId: chat.id, targetKey: `chat:${chat.id}` });
    await store.createInvite(inv);
    const before = await store.history(chat.id, { limit: 50 });

    const s = await reopen();
    expect(await s.getCredentials('alice')).toEqual({ user: a, passwordHash: 'hash-alice', salt: 'salt-alice' });
    expect(await s.findToken('tok', at(0))).toBe(a.id);
    expect(await s.friendState(a.id, b.id)).toBe('friends');
    expect(await s.getChat(chat.id)).toEqual({ ...chat, lastSeq: 3 });
    expect(await s.findDirectChat(pairKeyOf(a.id, b.id))).toEqual({ ...chat, lastSeq: 3 });
    expect(await s.history(chat.id, { limit: 50 })).toEqual(before);
    expect(await s.getReadSeq(chat.id, b.id)).toBe(2);
    expect(await s.getInvite(inv.id)).toEqual(inv);

    // Seq continues where it stopped, and de-duplication still knows the old messages.
    expect((await s.appendMessage(msg(chat.id, b.id, 'after-reopen'), newId())).message.seq).toBe(4);
    expect((await s.appendMessage(msg(chat.id, a.id, 'm2'), newId())).duplicate).toBe(true);
    expect(await s.createUser({ id: newId(), username: 'alice', displayName: 'x', createdAt: at(0) }, 'h', 's')).toBeNull();
  });
}
