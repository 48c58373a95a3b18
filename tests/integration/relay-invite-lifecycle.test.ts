// Invites, rule 5's checks repeated at acceptance and rule 6's closing of invites
// when the inviter leaves the target chat or the chat is deleted.
import { describe, expect, it } from 'vitest';
import { useRelay } from '../helpers/use-relay';
import { befriend, call, ok, type TestUser } from '../helpers/clients';
import { chatIds, closedBoth, closeAll, directPair, expectError, group, invite, users, watch } from '../helpers/scenarios';

const relay = useRelay();

describe('checks repeated at acceptance (rule 5)', () => {
  it('crossed direct invites: the second accept fails with duplicate_members and that invite closes cancelled', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const aToB = await invite(a!, b!);
    const bToA = await invite(b!, a!);
    const { chat } = await ok(a!.socket, 'invite:accept', { inviteId: bToA.id });
    const closed = closedBoth(a!, b!, aToB.id);
    const err = expectError(await call(b!.socket, 'invite:accept', { inviteId: aToB.id }), 'duplicate_members');
    expect(err.chatId).toBe(chat.id);
    for (const c of await closed) expect(c).toMatchObject({ inviteId: aToB.id, status: 'cancelled' });
    expectError(await call(b!.socket, 'invite:accept', { inviteId: aToB.id }), 'invite_closed');
    expect(await chatIds(a!.socket)).toEqual([chat.id]);
    expect(await chatIds(b!.socket)).toEqual([chat.id]);
    closeAll(a!, b!);
  });

  it('two inviters into the same group: the second accept fails with already_member and closes cancelled', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b] = members as [TestUser, TestUser];
    const [d] = await users(relay.url, ['d']);
    await befriend(a, d!);
    await befriend(b, d!);
    const fromA = await invite(a, d!, chat.id);
    const fromB = await invite(b, d!, chat.id);
    await ok(d!.socket, 'invite:accept', { inviteId: fromA.id });
    const closed = closedBoth(b, d!, fromB.id);
    expectError(await call(d!.socket, 'invite:accept', { inviteId: fromB.id }), 'already_member');
    for (const c of await closed) expect(c).toMatchObject({ inviteId: fromB.id, status: 'cancelled' });
    const [g] = (await ok(d!.socket, 'chat:list', {})).chats;
    expect(g!.members).toHaveLength(4);
    closeAll(...members, d!);
  });

  it('a fork invite whose member set appeared meanwhile: accept fails with duplicate_members naming it', async () => {
    const { a, b, chat: direct } = await directPair(relay.url);
    const [c] = await users(relay.url, ['c']);
    await befriend(a, c!);
    await befriend(b, c!);
    const fromA = await invite(a, c!, direct.id);
    const fromB = await invite(b, c!, direct.id);
    const { chat: g } = await ok(c!.socket, 'invite:accept', { inviteId: fromA.id });
    expect(g.kind).toBe('group');
    const closed = closedBoth(b, c!, fromB.id);
    const err = expectError(await call(c!.socket, 'invite:accept', { inviteId: fromB.id }), 'duplicate_members');
    expect(err.chatId).toBe(g.id);
    for (const x of await closed) expect(x).toMatchObject({ inviteId: fromB.id, status: 'cancelled' });
    closeAll(a, b, c!);
  });
});

describe('invites closed by leaving and deletion (rule 6)', () => {
  it('the inviter leaving the target group closes the invite as cancelled', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b] = members as [TestUser, TestUser];
    const [d] = await users(relay.url, ['d']);
    await befriend(a, d!);
    await befriend(b, d!);
    const fromA = await invite(a, d!, chat.id);
    const fromB = await invite(b, d!, chat.id);
    const closed = closedBoth(a, d!, fromA.id);
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    for (const c of await closed) expect(c).toMatchObject({ inviteId: fromA.id, status: 'cancelled' });
    expectError(await call(d!.socket, 'invite:accept', { inviteId: fromA.id }), 'invite_closed');
    // b's invite into the same group is untouched
    expect((await ok(d!.socket, 'invite:list', {})).incoming.map((i) => i.id)).toEqual([fromB.id]);
    const { chat: joined } = await ok(d!.socket, 'invite:accept', { inviteId: fromB.id });
    expect(joined.id).toBe(chat.id);
    closeAll(...members, d!);
  });

  it('the inviter leaving the pair’s direct chat closes a direct invite as cancelled', async () => {
    const { a, b, chat } = await directPair(relay.url);
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    const inv = await invite(a, b); // direct invite: its target is the pair's chat
    const closed = closedBoth(a, b, inv.id);
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    for (const c of await closed) expect(c).toMatchObject({ inviteId: inv.id, status: 'cancelled' });
    expectError(await call(b.socket, 'invite:accept', { inviteId: inv.id }), 'invite_closed');
    closeAll(a, b);
  });

  it('the inviter leaving a direct chat closes a re-add invite (with chatId) as cancelled', async () => {
    const { a, b, chat } = await directPair(relay.url);
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    const inv = await invite(a, b, chat.id);
    const closed = closedBoth(a, b, inv.id);
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    for (const c of await closed) expect(c).toMatchObject({ inviteId: inv.id, status: 'cancelled' });
    closeAll(a, b);
  });

  it('a group deleted by the last leave closes its pending invites as cancelled', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    const [d] = await users(relay.url, ['d']);
    await befriend(a, d!);
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    await ok(c.socket, 'chat:leave', { chatId: chat.id });
    const inv = await invite(a, d!, chat.id);
    const closed = closedBoth(a, d!, inv.id);
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    for (const x of await closed) expect(x).toMatchObject({ inviteId: inv.id, status: 'cancelled' });
    expectError(await call(d!.socket, 'invite:accept', { inviteId: inv.id }), 'invite_closed');
    for (const u of [a, b, c, d!]) expectError(await call(u.socket, 'chat:history', { chatId: chat.id }), 'not_found');
    expect(await chatIds(d!.socket)).toEqual([]);
    closeAll(...members, d!);
  });

  it('a non-inviter leaving does not close the invite', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b] = members as [TestUser, TestUser];
    const [d] = await users(relay.url, ['d']);
    await befriend(a, d!);
    const inv = await invite(a, d!, chat.id);
    const closedD = watch(d!.socket, 'invite:closed');
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    expect(await closedD.settle()).toEqual([]);
    const { chat: g } = await ok(d!.socket, 'invite:accept', { inviteId: inv.id });
    expect(g.members.map((m) => m.id).sort()).toEqual([a.user.id, members[2]!.user.id, d!.user.id].sort());
    closeAll(...members, d!);
  });
});
