// Invites: rules 2 (friends, online), 5 (refusals, re-checked at acceptance) and 6
// (lifetime, invite:closed to both ends), plus the Invite shape and invite:list.
import { describe, expect, it } from 'vitest';
import { useRelay } from '../helpers/use-relay';
import { befriend, call, connect, ok, waitFor, type TestUser } from '../helpers/clients';
import { closeAll, directPair, expectError, group, invite, ISO_RE, users } from '../helpers/scenarios';

const relay = useRelay();

describe('invite:create refusals (rules 2, 5)', () => {
  it('not_friends for a user who is not a friend (even with a pending friend request)', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    expectError(await call(a!.socket, 'invite:create', { to: b!.user.username }), 'not_friends');
    await ok(a!.socket, 'friends:request', { username: b!.user.username });
    expectError(await call(a!.socket, 'invite:create', { to: b!.user.username }), 'not_friends');
    closeAll(a!, b!);
  });

  it('not_online for a friend with no socket', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const off = waitFor(a!.socket, 'presence', (p) => !p.online);
    b!.socket.close();
    await off;
    expectError(await call(a!.socket, 'invite:create', { to: b!.user.username }), 'not_online');
    expect((await ok(a!.socket, 'invite:list', {})).outgoing).toEqual([]);
    closeAll(a!);
  });

  it('bad_request for inviting yourself', async () => {
    const [a] = await users(relay.url, ['a']);
    expectError(await call(a!.socket, 'invite:create', { to: a!.user.username }), 'bad_request');
    closeAll(a!);
  });

  it('already_invited for the same inviter, target and invitee; another inviter may still invite', async () => {
    const { members, chat } = await group(relay.url, 4);
    const [a, b, , d] = members as [TestUser, TestUser, TestUser, TestUser];
    await befriend(b, d);
    // direct target
    await invite(a, d);
    expectError(await call(a.socket, 'invite:create', { to: d.user.username }), 'already_invited');
    // group target (d is a member already? no: group() put d in, so use a fresh user)
    const [e] = await users(relay.url, ['e']);
    await befriend(a, e!);
    await befriend(b, e!);
    await invite(a, e!, chat.id);
    expectError(await call(a.socket, 'invite:create', { to: e!.user.username, chatId: chat.id }), 'already_invited');
    // a different inviter, same target and invitee: allowed
    await invite(b, e!, chat.id);
    closeAll(...members, e!);
  });

  it('already_invited: a direct invite and a re-add invite with the direct chat’s id share one target', async () => {
    const { a, b, chat } = await directPair(relay.url);
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    await invite(a, b);
    expectError(await call(a.socket, 'invite:create', { to: b.user.username, chatId: chat.id }), 'already_invited');
    closeAll(a, b);
  });

  it('duplicate_members naming the direct chat when both are already members', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const err = expectError(await call(a.socket, 'invite:create', { to: b.user.username }), 'duplicate_members');
    expect(err.chatId).toBe(chat.id);
    const err2 = expectError(await call(b.socket, 'invite:create', { to: a.user.username }), 'duplicate_members');
    expect(err2.chatId).toBe(chat.id);
    closeAll(a, b);
  });

  it('duplicate_members naming the group when forking a direct chat would repeat its member set', async () => {
    const { members, chat, direct } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    await befriend(b, c);
    // the direct chat a-b plus c = {a, b, c}: exactly the group's members
    for (const inviter of [a, b]) {
      const err = expectError(await call(inviter.socket, 'invite:create', { to: c.user.username, chatId: direct.id }), 'duplicate_members');
      expect(err.chatId).toBe(chat.id);
    }
    closeAll(...members);
  });

  it('already_member when `to` is a member of the chat given (direct or group)', async () => {
    const { members, chat, direct } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    expectError(await call(a.socket, 'invite:create', { to: b.user.username, chatId: direct.id }), 'already_member');
    expectError(await call(a.socket, 'invite:create', { to: c.user.username, chatId: chat.id }), 'already_member');
    expectError(await call(a.socket, 'invite:create', { to: b.user.username, chatId: chat.id }), 'already_member');
    closeAll(...members);
  });

  it('not_found for a chatId that does not exist or that the inviter is not a member of', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const [c] = await users(relay.url, ['c']);
    await befriend(c!, a);
    expectError(await call(a.socket, 'invite:create', { to: b.user.username, chatId: 'no-such-chat' }), 'not_found');
    // c is a's friend but no member of the a-b chat: the relay does not confirm it exists
    expectError(await call(c!.socket, 'invite:create', { to: a.user.username, chatId: chat.id }), 'not_found');
    closeAll(a, b, c!);
  });
});

describe('invite shape and invite:list', () => {
  it('a direct invite: chatId null, kind direct, members [from], pending, ISO times, expiresAt after createdAt', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const inv = await invite(a!, b!);
    expect(inv).toEqual({
      id: expect.any(String),
      from: a!.user,
      to: b!.user,
      chatId: null,
      kind: 'direct',
      members: [a!.user],
      status: 'pending',
      createdAt: expect.stringMatching(ISO_RE),
      expiresAt: expect.stringMatching(ISO_RE),
    });
    expect(Date.parse(inv.expiresAt)).toBeGreaterThan(Date.parse(inv.createdAt));
    closeAll(a!, b!);
  });

  it('a group invite: chatId of the group, kind group, members are the group at invite time', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a] = members as [TestUser];
    const [d] = await users(relay.url, ['d']);
    await befriend(a, d!);
    const inv = await invite(a, d!, chat.id);
    expect(inv.chatId).toBe(chat.id);
    expect(inv.kind).toBe('group');
    expect(inv.from).toEqual(a.user);
    expect(inv.to).toEqual(d!.user);
    expect([...inv.members].sort((x, y) => x.id.localeCompare(y.id))).toEqual(members.map((m) => m.user).sort((x, y) => x.id.localeCompare(y.id)));
    closeAll(...members, d!);
  });

  it('a fork invite (third user into a direct chat) carries the direct chat id and its members', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const [c] = await users(relay.url, ['c']);
    await befriend(a, c!);
    const inv = await invite(a, c!, chat.id);
    expect(inv.chatId).toBe(chat.id);
    expect(inv.members.map((m) => m.id).sort()).toEqual([a.user.id, b.user.id].sort());
    closeAll(a, b, c!);
  });

  it('invite:create takes the username in any case', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const { invite: inv } = await ok(a!.socket, 'invite:create', { to: b!.user.username.toUpperCase() });
    expect(inv.to).toEqual(b!.user);
    closeAll(a!, b!);
  });

  it('a pending invite is still listed after the invitee reconnects', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const inv = await invite(a!, b!);
    const off = waitFor(a!.socket, 'presence', (p) => !p.online);
    b!.socket.close();
    await off;
    const b2 = await connect(relay.url, b!.token);
    expect((await ok(b2, 'invite:list', {})).incoming).toEqual([inv]);
    await ok(b2, 'invite:accept', { inviteId: inv.id });
    closeAll(a!, b2);
  });

  it('invite:list shows pending invites only: incoming for the invitee, outgoing for the inviter', async () => {
    const [a, b, c] = await users(relay.url, ['a', 'b', 'c']);
    await befriend(a!, b!);
    await befriend(a!, c!);
    const toB = await invite(a!, b!);
    const toC = await invite(a!, c!);
    const listA = await ok(a!.socket, 'invite:list', {});
    expect(listA.incoming).toEqual([]);
    expect(listA.outgoing.map((i) => i.id).sort()).toEqual([toB.id, toC.id].sort());
    expect((await ok(b!.socket, 'invite:list', {})).incoming).toEqual([toB]);
    await ok(c!.socket, 'invite:reject', { inviteId: toC.id });
    expect((await ok(a!.socket, 'invite:list', {})).outgoing).toEqual([toB]);
    expect(await ok(c!.socket, 'invite:list', {})).toMatchObject({ incoming: [], outgoing: [] });
    await ok(b!.socket, 'invite:accept', { inviteId: toB.id });
    expect(await ok(a!.socket, 'invite:list', {})).toMatchObject({ incoming: [], outgoing: [] });
    expect(await ok(b!.socket, 'invite:list', {})).toMatchObject({ incoming: [], outgoing: [] });
    closeAll(a!, b!, c!);
  });
});
