// docs/protocol.md friends:* events and rule 1 (presence): who hears what, and the shapes.
import { describe, expect, it } from 'vitest';
import { useRelay } from '../helpers/use-relay';
import { befriend, call, inviteAndAccept, ok, uniqueName, waitFor, type TestUser } from '../helpers/clients';
import { anotherSocket, closeAll, expectError, friendsList, group, users, watch } from '../helpers/scenarios';

const relay = useRelay();

describe('friends', () => {
  it('request → friend:request to the requested user; lists show incoming/outgoing', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    const got = waitFor(b!.socket, 'friend:request');
    expect(await call(a!.socket, 'friends:request', { username: b!.user.username })).toEqual({ ok: true });
    expect(await got).toEqual({ from: a!.user });
    expect(await friendsList(a!.socket)).toEqual({ friends: [], incoming: [], outgoing: [b!.user] });
    expect(await friendsList(b!.socket)).toEqual({ friends: [], incoming: [a!.user], outgoing: [] });
    closeAll(a!, b!);
  });

  it('accept → {friend: Member}, friend:added to both with the other as an online Member; lists show friends', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await ok(a!.socket, 'friends:request', { username: b!.user.username });
    const addedA = waitFor(a!.socket, 'friend:added');
    const addedB = waitFor(b!.socket, 'friend:added');
    const res = await ok(b!.socket, 'friends:accept', { username: a!.user.username });
    expect(res.friend).toEqual({ ...a!.user, online: true });
    expect(await addedA).toEqual({ friend: { ...b!.user, online: true } });
    expect(await addedB).toEqual({ friend: { ...a!.user, online: true } });
    expect(await friendsList(a!.socket)).toEqual({ friends: [{ ...b!.user, online: true }], incoming: [], outgoing: [] });
    expect(await friendsList(b!.socket)).toEqual({ friends: [{ ...a!.user, online: true }], incoming: [], outgoing: [] });
    closeAll(a!, b!);
  });

  it('usernames in friend events are case-insensitive', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await ok(a!.socket, 'friends:request', { username: b!.user.username.toUpperCase() });
    const res = await ok(b!.socket, 'friends:accept', { username: a!.user.username.toUpperCase() });
    expect(res.friend.id).toBe(a!.user.id);
    closeAll(a!, b!);
  });

  it('a mutual request makes both friends at once, with friend:added to both', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await ok(a!.socket, 'friends:request', { username: b!.user.username });
    const addedA = waitFor(a!.socket, 'friend:added');
    const addedB = waitFor(b!.socket, 'friend:added');
    expect(await call(b!.socket, 'friends:request', { username: a!.user.username })).toEqual({ ok: true });
    expect((await addedA).friend).toEqual({ ...b!.user, online: true });
    expect((await addedB).friend).toEqual({ ...a!.user, online: true });
    expect((await ok(a!.socket, 'friends:list', {})).friends.map((f) => f.id)).toEqual([b!.user.id]);
    expect((await ok(b!.socket, 'friends:list', {})).incoming).toEqual([]);
    closeAll(a!, b!);
  });

  it('decline removes the request; nothing becomes a friendship', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await ok(a!.socket, 'friends:request', { username: b!.user.username });
    const added = watch(a!.socket, 'friend:added');
    expect(await call(b!.socket, 'friends:decline', { username: a!.user.username })).toEqual({ ok: true });
    expect(await friendsList(b!.socket)).toEqual({ friends: [], incoming: [], outgoing: [] });
    expect(await friendsList(a!.socket)).toEqual({ friends: [], incoming: [], outgoing: [] });
    expect(await added.settle()).toEqual([]);
    // the declined user cannot be invited
    expectError(await call(a!.socket, 'invite:create', { to: b!.user.username }), 'not_friends');
    closeAll(a!, b!);
  });

  it('remove → friend:removed {userId} to both; lists empty; invites refused with not_friends', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const remA = waitFor(a!.socket, 'friend:removed');
    const remB = waitFor(b!.socket, 'friend:removed');
    expect(await call(a!.socket, 'friends:remove', { username: b!.user.username })).toEqual({ ok: true });
    expect(await remA).toEqual({ userId: b!.user.id });
    expect(await remB).toEqual({ userId: a!.user.id });
    expect((await ok(a!.socket, 'friends:list', {})).friends).toEqual([]);
    expect((await ok(b!.socket, 'friends:list', {})).friends).toEqual([]);
    expectError(await call(b!.socket, 'invite:create', { to: a!.user.username }), 'not_friends');
    closeAll(a!, b!);
  });

  it('removing a friend does not remove anyone from a chat (rule 2)', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const chat = await inviteAndAccept(a!, b!);
    await ok(a!.socket, 'friends:remove', { username: b!.user.username });
    const { chats } = await ok(b!.socket, 'chat:list', {});
    expect(chats.map((c) => c.id)).toEqual([chat.id]);
    const got = waitFor(b!.socket, 'chat:message');
    await ok(a!.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'after-unfriend', body: 'still here' });
    expect((await got).message.body).toBe('still here');
    closeAll(a!, b!);
  });

  it('already_friends when requesting or accepting a friend', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    expectError(await call(a!.socket, 'friends:request', { username: b!.user.username }), 'already_friends');
    expectError(await call(b!.socket, 'friends:request', { username: a!.user.username }), 'already_friends');
    expectError(await call(b!.socket, 'friends:accept', { username: a!.user.username }), 'already_friends');
    closeAll(a!, b!);
  });

  it('not_found for a username that names no user, in every friends event', async () => {
    const [a] = await users(relay.url, ['a']);
    const ghost = uniqueName('ghost');
    for (const ev of ['friends:request', 'friends:accept', 'friends:decline', 'friends:remove'] as const) {
      expectError(await call(a!.socket, ev, { username: ghost }), 'not_found');
    }
    expectError(await call(a!.socket, 'invite:create', { to: ghost }), 'not_found');
    closeAll(a!);
  });

  it('bad_request for befriending yourself (any case)', async () => {
    const [a] = await users(relay.url, ['a']);
    expectError(await call(a!.socket, 'friends:request', { username: a!.user.username }), 'bad_request');
    expectError(await call(a!.socket, 'friends:request', { username: a!.user.username.toUpperCase() }), 'bad_request');
    expect(await friendsList(a!.socket)).toEqual({ friends: [], incoming: [], outgoing: [] });
    closeAll(a!);
  });

  it('friends:list reports online false for a friend with no socket', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const off = waitFor(a!.socket, 'presence', (p) => p.user.id === b!.user.id && !p.online);
    b!.socket.close();
    await off;
    expect((await ok(a!.socket, 'friends:list', {})).friends).toEqual([{ ...b!.user, online: false }]);
    closeAll(a!);
  });
});

describe('presence (rule 1)', () => {
  it('online on the first socket, offline on the last; a second socket changes nothing', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const seen = watch(a!.socket, 'presence');
    const a2 = await anotherSocket(relay.url, b!);
    await seen.settle();
    expect(seen.seen).toEqual([]); // b was online already
    a2.close();
    await seen.settle();
    expect(seen.seen).toEqual([]); // b still has a socket
    const off = waitFor(a!.socket, 'presence', (p) => !p.online);
    b!.socket.close();
    expect(await off).toEqual({ user: b!.user, online: false });
    // back online: one presence online
    const on = waitFor(a!.socket, 'presence', (p) => p.online);
    const b3 = await anotherSocket(relay.url, b!);
    expect(await on).toEqual({ user: b!.user, online: true });
    await seen.settle();
    expect(seen.seen).toEqual([
      { user: b!.user, online: false },
      { user: b!.user, online: true },
    ]);
    closeAll(a!, b3);
  });

  it('co-members of an active chat hear presence even when not friends; strangers do not', async () => {
    const [a, b, c] = await users(relay.url, ['a', 'b', 'c']);
    await befriend(a!, b!);
    await inviteAndAccept(a!, b!);
    await ok(a!.socket, 'friends:remove', { username: b!.user.username });
    const strangers = watch(c!.socket, 'presence');
    const off = waitFor(b!.socket, 'presence', (p) => p.user.id === a!.user.id && !p.online);
    a!.socket.close();
    expect(await off).toEqual({ user: a!.user, online: false });
    const on = waitFor(b!.socket, 'presence', (p) => p.user.id === a!.user.id && p.online);
    const a2 = await anotherSocket(relay.url, a!);
    expect(await on).toEqual({ user: a!.user, online: true });
    expect(await strangers.settle()).toEqual([]);
    closeAll(a2, b!, c!);
  });

  it('a friend who also shares chats hears each change once', async () => {
    const { members } = await group(relay.url, 3);
    const [a, b] = members as [TestUser, TestUser];
    // a and b are friends (group() befriends a with everyone) and share the direct chat and the group
    const seen = watch(b.socket, 'presence');
    const off = waitFor(b.socket, 'presence', (p) => p.user.id === a.user.id && !p.online);
    a.socket.close();
    await off;
    await seen.settle();
    expect(seen.seen.filter((p) => p.user.id === a.user.id)).toEqual([{ user: a.user, online: false }]);
    closeAll(...members);
  });

  it('a former co-member who is not a friend hears nothing after leaving', async () => {
    const [a, b, c] = await users(relay.url, ['a', 'b', 'c']);
    await befriend(a!, b!);
    await befriend(a!, c!);
    const chat = await inviteAndAccept(a!, b!);
    await ok(a!.socket, 'friends:remove', { username: b!.user.username });
    await ok(b!.socket, 'chat:leave', { chatId: chat.id });
    const bSees = watch(b!.socket, 'presence');
    const cOff = waitFor(c!.socket, 'presence', (p) => p.user.id === a!.user.id && !p.online);
    a!.socket.close();
    await cOff; // a's presence did go out
    expect(await bSees.settle()).toEqual([]);
    closeAll(b!, c!);
  });

  it('logout disconnects the sockets and friends see the user go offline', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const off = waitFor(a!.socket, 'presence', (p) => p.user.id === b!.user.id && !p.online);
    const r = await fetch(`${relay.url}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${b!.token}` } });
    expect(r.status).toBe(204);
    expect(await off).toEqual({ user: b!.user, online: false });
    expect((await friendsList(a!.socket)).friends).toEqual([{ ...b!.user, online: false }]);
    closeAll(a!, b!);
  });

  it('members in a chat list show online state', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const chat = await inviteAndAccept(a!, b!);
    expect(chat.members).toEqual(expect.arrayContaining([{ ...a!.user, online: true }, { ...b!.user, online: true }]));
    expect(chat.members).toHaveLength(2);
    const off = waitFor(a!.socket, 'presence', (p) => !p.online);
    b!.socket.close();
    await off;
    const [listed] = (await ok(a!.socket, 'chat:list', {})).chats;
    expect(listed!.members.find((m) => m.id === b!.user.id)?.online).toBe(false);
    closeAll(a!);
  });
});
