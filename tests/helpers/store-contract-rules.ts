// The store's one-step rule operations (accepting an invite, leaving, creating an
// invite), which must hold however many relays call them at once: part of the contract
// every backend shares (see store-contract.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AcceptPlan, ChatRecord, InviteRecord, Store, UserRecord } from '../../relay/store/types';
import { at, inviteRecord, type StoreBackend } from './store-contract';

const newId = (): string => randomUUID();
const pairKeyOf = (a: string, b: string): string => (a < b ? `${a}:${b}` : `${b}:${a}`);
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

export function defineRuleStepContract(backend: StoreBackend): void {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'store-rules-'));
    store = await backend.open(dir);
  });

  afterEach(async () => {
    await store.close().catch(() => undefined);
    await backend.destroy?.(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  async function users(...names: string[]): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const name of names) {
      const u: UserRecord = { id: newId(), username: name, displayName: name, createdAt: at(0) };
      expect(await store.createUser(u, 'h', 's')).toEqual(u);
      out.push(u);
    }
    return out;
  }

  const group = (memberIds: string[]): Promise<ChatRecord> => store.createChat({ id: newId(), kind: 'group', pairKey: null, createdAt: at(0) }, memberIds);
  const direct = (a: string, b: string, memberIds = [a, b]): Promise<ChatRecord> =>
    store.createChat({ id: newId(), kind: 'direct', pairKey: pairKeyOf(a, b), createdAt: at(0) }, memberIds);

  /** Stores a pending invite (inviteRecord) and returns it. */
  async function invite(fromId: string, toId: string, over: Partial<InviteRecord> = {}): Promise<InviteRecord> {
    const i = inviteRecord(fromId, toId, over);
    expect(await store.createInvite(i)).toBe('created');
    return i;
  }

  /** A direct invite accepted with no direct chat yet: creates the pair's chat. */
  const newDirect = (i: InviteRecord, now = at(10)): AcceptPlan => ({
    inviteId: i.id,
    now,
    into: null,
    forkedFrom: null,
    create: { id: newId(), kind: 'direct', pairKey: pairKeyOf(i.fromId, i.toId), createdAt: now },
    memberIds: [i.fromId, i.toId],
  });

  const into = (i: InviteRecord, chat: ChatRecord, memberIds = chat.memberIds): AcceptPlan => ({
    inviteId: i.id,
    now: at(10),
    into: { chatId: chat.id, memberIds },
    forkedFrom: null,
    create: null,
    memberIds: [...memberIds, i.toId],
  });

  const fork = (i: InviteRecord, from: ChatRecord): AcceptPlan => ({
    inviteId: i.id,
    now: at(10),
    into: null,
    forkedFrom: { chatId: from.id, memberIds: from.memberIds },
    create: { id: newId(), kind: 'group', pairKey: null, createdAt: at(10) },
    memberIds: [...from.memberIds, i.toId],
  });

  // ---------------------------------------------------------------- acceptInvite

  it('accepting a direct invite creates the pair chat and closes the invite, in one step', async () => {
    const [a, b] = await users('alice', 'bob');
    const i = await invite(a.id, b.id);
    const plan = newDirect(i);
    const r = await store.acceptInvite(plan);
    expect(r).toMatchObject({ outcome: 'accepted', before: [] });
    if (r.outcome !== 'accepted') return;
    expect(r.chat).toMatchObject({ id: plan.create!.id, kind: 'direct', pairKey: pairKeyOf(a.id, b.id), lastSeq: 0 });
    expect(sorted(r.chat.memberIds)).toEqual(sorted([a.id, b.id]));
    expect((await store.getInvite(i.id))?.status).toBe('accepted');
    expect((await store.findDirectChat(pairKeyOf(a.id, b.id)))?.id).toBe(plan.create!.id);
    // once only
    expect(await store.acceptInvite(newDirect(i))).toEqual({ outcome: 'closed', status: 'accepted' });
  });

  it('accepting into a group adds the invitee and says who was there before', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const g = await group([a.id, b.id]);
    const i = await invite(a.id, c.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: g.memberIds });
    const r = await store.acceptInvite(into(i, g));
    expect(r).toMatchObject({ outcome: 'accepted', before: [a.id, b.id] });
    expect((await store.getChat(g.id))?.memberIds).toEqual([a.id, b.id, c.id]);
  });

  it('an invite past its time is closed as expired instead, and nothing else changes', async () => {
    const [a, b] = await users('alice', 'bob');
    const i = await invite(a.id, b.id, { expiresAt: at(5) });
    const r = await store.acceptInvite(newDirect(i, at(5)));
    expect(r).toEqual({ outcome: 'expired', invite: { ...i, status: 'expired' } });
    expect((await store.getInvite(i.id))?.status).toBe('expired');
    expect(await store.findDirectChat(pairKeyOf(a.id, b.id))).toBeNull();
  });

  it('a plan made from members that changed since is stale and changes nothing', async () => {
    const [a, b, c, d] = await users('alice', 'bob', 'carol', 'dave');
    const g = await group([a.id, b.id, d.id]);
    const i = await invite(a.id, c.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: g.memberIds });
    await store.removeMember(g.id, d.id);
    expect(await store.acceptInvite(into(i, g))).toEqual({ outcome: 'stale' });
    expect((await store.getChat(g.id))?.memberIds).toEqual([a.id, b.id]);
    expect((await store.getInvite(i.id))?.status).toBe('pending');
    // the same members in another order are the same set: not stale
    expect(await store.acceptInvite(into(i, g, [b.id, a.id]))).toMatchObject({ outcome: 'accepted' });
  });

  it('a plan to create the pair chat is stale once that chat exists; a fork is stale once its source changed', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const i = await invite(a.id, b.id);
    const plan = newDirect(i);
    await direct(a.id, b.id, [a.id]);
    expect(await store.acceptInvite(plan)).toEqual({ outcome: 'stale' });
    expect((await store.getInvite(i.id))?.status).toBe('pending');

    const ab = (await store.findDirectChat(pairKeyOf(a.id, b.id)))!;
    await store.addMembers(ab.id, [b.id]);
    const toC = await invite(a.id, c.id, { chatId: ab.id, kind: 'group', targetKey: `chat:${ab.id}`, memberIds: [a.id, b.id] });
    const forkPlan = fork(toC, (await store.getChat(ab.id))!);
    await store.removeMember(ab.id, b.id);
    expect(await store.acceptInvite(forkPlan)).toEqual({ outcome: 'stale' });
    expect(await store.findChatByMembers([a.id, b.id, c.id])).toBeNull();
  });

  it('a member set that an active chat has already: duplicate, the invite closes cancelled, nothing is created', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const ab = await direct(a.id, b.id);
    const abc = await group([a.id, b.id, c.id]);
    const toC = await invite(a.id, c.id, { chatId: ab.id, kind: 'group', targetKey: `chat:${ab.id}`, memberIds: ab.memberIds });
    const r = await store.acceptInvite(fork(toC, ab));
    expect(r).toEqual({ outcome: 'duplicate', chatId: abc.id, invite: { ...toC, status: 'cancelled' } });
    expect((await store.getInvite(toC.id))?.status).toBe('cancelled');
    expect((await store.chatsOf(c.id)).map((m) => m.chat.id)).toEqual([abc.id]);

    // both already in their direct chat: a direct invite names that chat
    const again = await invite(b.id, a.id);
    const plan: AcceptPlan = { ...into(again, ab), memberIds: [b.id, a.id] };
    expect(await store.acceptInvite(plan)).toMatchObject({ outcome: 'duplicate', chatId: ab.id });
  });

  it('concurrent accepts that would make the same member set: one chat, the others duplicate', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const ab = await direct(a.id, b.id);
    const fromA = await invite(a.id, c.id, { chatId: ab.id, kind: 'group', targetKey: `chat:${ab.id}`, memberIds: ab.memberIds });
    const fromB = await invite(b.id, c.id, { chatId: ab.id, kind: 'group', targetKey: `chat:${ab.id}`, memberIds: ab.memberIds });
    const results = await Promise.all([fork(fromA, ab), fork(fromB, ab)].map((p) => store.acceptInvite(p)));
    const accepted = results.filter((r) => r.outcome === 'accepted');
    expect(accepted).toHaveLength(1);
    const made = accepted[0]!.outcome === 'accepted' ? accepted[0]!.chat.id : '';
    expect(results.filter((r) => r.outcome === 'duplicate')).toEqual([expect.objectContaining({ chatId: made })]);
    expect((await store.chatsOf(c.id)).map((m) => m.chat.id)).toEqual([made]);
  });

  // ---------------------------------------------------------------- leaveChat

  it('leaving cancels the leaver’s pending invites toward the chat and its pair, not others’', async () => {
    const [a, b, c, d] = await users('alice', 'bob', 'carol', 'dave');
    const ab = await direct(a.id, b.id, [a.id]);
    const pairInvite = await invite(a.id, b.id);
    const forkInvite = await invite(a.id, c.id, { chatId: ab.id, kind: 'group', targetKey: `chat:${ab.id}`, memberIds: [a.id] });
    const g = await group([a.id, b.id, c.id]);
    const mine = await invite(a.id, d.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: g.memberIds, createdAt: at(1) });
    const bobs = await invite(b.id, d.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: g.memberIds, createdAt: at(2) });

    const left = await store.leaveChat(g.id, a.id, at(20));
    expect(left).toEqual({
      chat: expect.objectContaining({ id: g.id, memberIds: [b.id, c.id], lastSeq: 1 }),
      deleted: false,
      cancelled: [{ ...mine, status: 'cancelled' }],
      entry: { id: expect.any(String), chatId: g.id, seq: 1, kind: 'left', senderId: a.id, body: '', clientMsgId: '', createdAt: at(20) },
    });
    expect((await store.getInvite(bobs.id))?.status).toBe('pending');
    expect(await store.leaveChat(g.id, a.id, at(20))).toBeNull();
    expect(await store.leaveChat('no-such-chat', a.id, at(20))).toBeNull();

    // a direct chat left by its last member stays, inactive, with its history
    await store.appendMessage({ chatId: ab.id, senderId: a.id, clientMsgId: 'm1', body: 'hi', createdAt: at(3) }, newId());
    const leftDirect = await store.leaveChat(ab.id, a.id, at(20));
    expect(leftDirect?.deleted).toBe(false);
    expect(leftDirect?.cancelled.map((i) => i.id).sort()).toEqual([pairInvite.id, forkInvite.id].sort());
    expect((await store.getChat(ab.id))?.memberIds).toEqual([]);
    expect((await store.history(ab.id, { limit: 10 })).messages.map((m) => [m.kind, m.clientMsgId])).toEqual([
      ['text', 'm1'],
      ['left', ''],
    ]);
  });

  it('the last member leaving a group deletes it with its messages and every invite into it', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const g = await group([a.id, b.id]);
    const fromB = await invite(b.id, c.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: g.memberIds });
    await store.appendMessage({ chatId: g.id, senderId: a.id, clientMsgId: 'm1', body: 'hi', createdAt: at(3) }, newId());
    expect((await store.leaveChat(g.id, b.id, at(20)))?.cancelled).toEqual([{ ...fromB, status: 'cancelled' }]);
    const fromA = await invite(a.id, c.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: [a.id] });
    const last = await store.leaveChat(g.id, a.id, at(20));
    expect(last).toEqual({ chat: expect.objectContaining({ id: g.id, memberIds: [] }), deleted: true, cancelled: [{ ...fromA, status: 'cancelled' }], entry: null });
    expect(await store.getChat(g.id)).toBeNull();
    expect((await store.history(g.id, { limit: 10 })).messages).toEqual([]);
  });

  it('an accept into a group and its last member leaving at once: never a deleted chat with a member', async () => {
    const [a, b] = await users('alice', 'bob');
    const g = await group([a.id]);
    const i = await invite(a.id, b.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: g.memberIds });
    const [accepted, left] = await Promise.all([store.acceptInvite(into(i, g)), store.leaveChat(g.id, a.id, at(20))]);
    const chat = await store.getChat(g.id);
    if (accepted.outcome === 'accepted') {
      // the accept came first: the leave left bob in the group
      expect(left).toMatchObject({ deleted: false });
      expect(chat?.memberIds).toEqual([b.id]);
    } else {
      // the leave came first: the invite was cancelled with the group
      expect(accepted).toEqual({ outcome: 'closed', status: 'cancelled' });
      expect(left).toMatchObject({ deleted: true });
      expect(chat).toBeNull();
    }
  });

  // ---------------------------------------------------------------- membership entries

  it('joins and leaves append entries in seq order with the text messages; founders get none', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const ab = await direct(a.id, b.id);
    const toC = await invite(a.id, c.id, { chatId: ab.id, kind: 'group', targetKey: `chat:${ab.id}`, memberIds: ab.memberIds });
    const made = await store.acceptInvite(fork(toC, ab));
    expect(made).toMatchObject({ outcome: 'accepted', entries: [] });
    if (made.outcome !== 'accepted') return;
    const g = made.chat;
    await store.appendMessage({ chatId: g.id, senderId: a.id, clientMsgId: 'm1', body: 'one', createdAt: at(11) }, newId());
    await store.leaveChat(g.id, c.id, at(12));
    const back = await invite(b.id, c.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: [a.id, b.id] });
    const rejoined = await store.acceptInvite({ ...into(back, (await store.getChat(g.id))!), now: at(13) });
    expect(rejoined).toMatchObject({
      outcome: 'accepted',
      chat: { lastSeq: 3 },
      entries: [{ chatId: g.id, seq: 3, kind: 'joined', senderId: c.id, body: '', clientMsgId: '', createdAt: at(13) }],
    });
    await store.appendMessage({ chatId: g.id, senderId: c.id, clientMsgId: 'm2', body: 'two', createdAt: at(14) }, newId());
    // a second leave of the same member is an entry of its own, not a resend of the first
    await store.leaveChat(g.id, c.id, at(15));
    const page = await store.history(g.id, { limit: 10 });
    expect(page.messages.map((m) => [m.seq, m.kind, m.senderId, m.body])).toEqual([
      [1, 'text', a.id, 'one'],
      [2, 'left', c.id, ''],
      [3, 'joined', c.id, ''],
      [4, 'text', c.id, 'two'],
      [5, 'left', c.id, ''],
    ]);
    expect((await store.getChat(g.id))?.lastSeq).toBe(5);
  });

  it('an entry is never unread: a member who had read everything before it has read it too', async () => {
    const [a, b, c, d] = await users('alice', 'bob', 'carol', 'dave');
    const g = await group([a.id, b.id, c.id]);
    await store.appendMessage({ chatId: g.id, senderId: a.id, clientMsgId: 'm1', body: 'one', createdAt: at(1) }, newId());
    await store.appendMessage({ chatId: g.id, senderId: a.id, clientMsgId: 'm2', body: 'two', createdAt: at(2) }, newId());
    await store.markRead(g.id, a.id, 2); // all read
    await store.markRead(g.id, b.id, 1); // one unread
    const i = await invite(a.id, d.id, { chatId: g.id, kind: 'group', targetKey: `chat:${g.id}`, memberIds: g.memberIds });
    await store.acceptInvite(into(i, g));
    await store.leaveChat(g.id, c.id, at(20));
    expect(await store.getReadSeq(g.id, a.id)).toBe(4);
    expect(await store.getReadSeq(g.id, b.id)).toBe(1);
    expect(await store.getReadSeq(g.id, d.id)).toBe(0);
  });

  // ---------------------------------------------------------------- createInvite

  it('creating an invite refuses a second pending one for the same inviter, invitee and target', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const first = await invite(a.id, b.id);
    const second = { ...first, id: newId() };
    expect(await store.createInvite(second)).toBe('already_invited');
    expect(await store.getInvite(second.id)).toBeNull();
    // another inviter, another invitee: fine; after the first closes, fine again
    await invite(c.id, b.id);
    await invite(a.id, c.id);
    await store.closeInvite(first.id, 'rejected');
    expect(await store.createInvite(second)).toBe('created');
    const racing = await Promise.all([1, 2, 3].map(() => store.createInvite({ ...first, id: newId(), targetKey: 'chat:x-target' })));
    expect(sorted(racing)).toEqual(['already_invited', 'already_invited', 'created']);
  });

  it('creating an invite into a chat the inviter has left, or that is gone, answers gone', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const g = await group([a.id, b.id]);
    await store.leaveChat(g.id, a.id, at(20));
    const over = { chatId: g.id, kind: 'group' as const, targetKey: `chat:${g.id}`, memberIds: [b.id] };
    const byA = inviteRecord(a.id, c.id, over);
    expect(await store.createInvite(byA)).toBe('gone');
    await store.leaveChat(g.id, b.id, at(20));
    expect(await store.createInvite({ ...byA, id: newId(), fromId: b.id })).toBe('gone');
    expect((await store.pendingInvitesOf(c.id)).incoming).toEqual([]);
  });
}
