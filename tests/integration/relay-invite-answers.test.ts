// Invites, rule 6: accepting, rejecting and cancelling, who may do which, and
// invite:closed to both ends.
import { describe, expect, it } from 'vitest';
import { useRelay } from '../helpers/use-relay';
import { befriend, call, inviteAndAccept, ok, waitFor } from '../helpers/clients';
import { anotherSocket, chatIds, closedBoth, closeAll, expectError, invite, ISO_RE, users, watch } from '../helpers/scenarios';

const relay = useRelay();

describe('accept, reject, cancel (rule 6)', () => {
  it('accept: the invitee gets {chat}; both get chat:joined on all sockets and invite:closed accepted', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const inv = await invite(a!, b!);
    const a2 = await anotherSocket(relay.url, a!);
    const closed = closedBoth(a!, b!, inv.id);
    const joined = Promise.all([a!.socket, a2, b!.socket].map((s) => waitFor(s, 'chat:joined')));
    const { chat } = await ok(b!.socket, 'invite:accept', { inviteId: inv.id });
    expect(chat).toMatchObject({ kind: 'direct', lastSeq: 0, readSeq: 0, createdAt: expect.stringMatching(ISO_RE) });
    expect(chat.members.map((m) => m.id).sort()).toEqual([a!.user.id, b!.user.id].sort());
    for (const c of await closed) expect(c).toMatchObject({ inviteId: inv.id, status: 'accepted' });
    for (const j of await joined) expect(j.chat).toEqual(expect.objectContaining({ id: chat.id, kind: 'direct' }));
    closeAll(a!, b!, a2);
  });

  it('invite:received reaches every socket of the invitee, and nobody else', async () => {
    const [a, b, c] = await users(relay.url, ['a', 'b', 'c']);
    await befriend(a!, b!);
    await befriend(a!, c!);
    const b2 = await anotherSocket(relay.url, b!);
    const onB2 = waitFor(b2, 'invite:received');
    const others = [watch(a!.socket, 'invite:received'), watch(c!.socket, 'invite:received')];
    const inv = await invite(a!, b!);
    expect((await onB2).invite).toEqual(inv);
    for (const o of others) expect(await o.settle()).toEqual([]);
    closeAll(a!, b!, c!, b2);
  });

  it('crossed invites accepted at the same moment: one chat, the other accept fails with duplicate_members', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const aToB = await invite(a!, b!);
    const bToA = await invite(b!, a!);
    const [r1, r2] = await Promise.all([call(b!.socket, 'invite:accept', { inviteId: aToB.id }), call(a!.socket, 'invite:accept', { inviteId: bToA.id })]);
    const oks = [r1, r2].filter((r) => r.ok);
    const fails = [r1, r2].filter((r) => !r.ok);
    expect(oks).toHaveLength(1);
    expect(fails).toHaveLength(1);
    const won = oks[0]!;
    if (!won.ok) throw new Error('unreachable');
    expect(expectError(fails[0]!, 'duplicate_members').chatId).toBe(won.chat.id);
    const listA = (await ok(a!.socket, 'chat:list', {})).chats;
    const listB = (await ok(b!.socket, 'chat:list', {})).chats;
    expect(listA.map((c) => c.id)).toEqual([won.chat.id]);
    expect(listB.map((c) => c.id)).toEqual([won.chat.id]);
    closeAll(a!, b!);
  });

  it('only the invitee may accept or reject; only the inviter may cancel (forbidden otherwise)', async () => {
    const [a, b, c] = await users(relay.url, ['a', 'b', 'c']);
    await befriend(a!, b!);
    const inv = await invite(a!, b!);
    expectError(await call(a!.socket, 'invite:accept', { inviteId: inv.id }), 'forbidden');
    expectError(await call(c!.socket, 'invite:accept', { inviteId: inv.id }), 'forbidden');
    expectError(await call(a!.socket, 'invite:reject', { inviteId: inv.id }), 'forbidden');
    expectError(await call(c!.socket, 'invite:reject', { inviteId: inv.id }), 'forbidden');
    expectError(await call(b!.socket, 'invite:cancel', { inviteId: inv.id }), 'forbidden');
    expectError(await call(c!.socket, 'invite:cancel', { inviteId: inv.id }), 'forbidden');
    // none of that changed it
    expect((await ok(b!.socket, 'invite:list', {})).incoming.map((i) => i.id)).toEqual([inv.id]);
    await ok(b!.socket, 'invite:accept', { inviteId: inv.id });
    closeAll(a!, b!, c!);
  });

  it('reject: nothing is created, invite:closed rejected to both', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const inv = await invite(a!, b!);
    const closed = closedBoth(a!, b!, inv.id);
    const joinedA = watch(a!.socket, 'chat:joined');
    expect(await call(b!.socket, 'invite:reject', { inviteId: inv.id })).toEqual({ ok: true });
    for (const c of await closed) expect(c).toMatchObject({ inviteId: inv.id, status: 'rejected' });
    expect(await chatIds(a!.socket)).toEqual([]);
    expect(await chatIds(b!.socket)).toEqual([]);
    expect(await joinedA.settle()).toEqual([]);
    expectError(await call(b!.socket, 'invite:accept', { inviteId: inv.id }), 'invite_closed');
    expectError(await call(b!.socket, 'invite:reject', { inviteId: inv.id }), 'invite_closed');
    // the pair may start over
    await inviteAndAccept(a!, b!);
    closeAll(a!, b!);
  });

  it('cancel: invite:closed cancelled to both; accepting or rejecting it afterwards is invite_closed', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const inv = await invite(a!, b!);
    const closed = closedBoth(a!, b!, inv.id);
    expect(await call(a!.socket, 'invite:cancel', { inviteId: inv.id })).toEqual({ ok: true });
    for (const c of await closed) expect(c).toMatchObject({ inviteId: inv.id, status: 'cancelled' });
    expectError(await call(b!.socket, 'invite:accept', { inviteId: inv.id }), 'invite_closed');
    expectError(await call(b!.socket, 'invite:reject', { inviteId: inv.id }), 'invite_closed');
    expect(await chatIds(b!.socket)).toEqual([]);
    closeAll(a!, b!);
  });

  it('accepting an accepted invite again is invite_closed', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const inv = await invite(a!, b!);
    await ok(b!.socket, 'invite:accept', { inviteId: inv.id });
    expectError(await call(b!.socket, 'invite:accept', { inviteId: inv.id }), 'invite_closed');
    expectError(await call(b!.socket, 'invite:reject', { inviteId: inv.id }), 'invite_closed');
    expect((await ok(b!.socket, 'chat:list', {})).chats).toHaveLength(1);
    closeAll(a!, b!);
  });

  it('not_found for an unknown inviteId', async () => {
    const [a] = await users(relay.url, ['a']);
    for (const ev of ['invite:accept', 'invite:reject', 'invite:cancel'] as const) {
      expectError(await call(a!.socket, ev, { inviteId: 'no-such-invite' }), 'not_found');
    }
    closeAll(a!);
  });
});

