// docs/protocol.md "Socket.IO": a payload that is not an object, has unknown or mistyped
// fields, or breaks a limit gets bad_request and changes nothing; a missing ack is
// tolerated; no input crashes the relay or disconnects other users.
import { describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../protocol/types';
import { CLIENT_EVENTS } from '../../protocol/types';
import { useRelay } from '../helpers/use-relay';
import { befriend, call, ok, waitFor, type TestUser } from '../helpers/clients';
import { closeAll, expectError, friendsList, group, rawCall, rawEmit, until, users, watch } from '../helpers/scenarios';

const relay = useRelay();

const EVENTS: readonly ClientEvent[] = CLIENT_EVENTS;

interface World {
  members: TestUser[];
  outsider: TestUser;
  chatId: string;
  inviteId: string;
}

/** A group {a, b, c}, a pending invite from a to d into it, and d's friend request to a. */
async function world(): Promise<World> {
  const { members, chat } = await group(relay.url, 3);
  const [a] = members as [TestUser];
  const [d] = await users(relay.url, ['d']);
  await befriend(a, d!);
  const received = waitFor(d!.socket, 'invite:received');
  const { invite } = await ok(a.socket, 'invite:create', { to: d!.user.username, chatId: chat.id });
  await received;
  await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'seed', body: 'seed' });
  return { members, outsider: d!, chatId: chat.id, inviteId: invite.id };
}

/** A well-formed payload for each event, used as the base for broken ones. */
function valid(w: World, ev: ClientEvent): Record<string, unknown> {
  const [, b] = w.members as [TestUser, TestUser];
  switch (ev) {
    case 'friends:list':
    case 'invite:list':
    case 'chat:list':
      return {};
    case 'friends:request':
    case 'friends:accept':
    case 'friends:decline':
    case 'friends:remove':
      return { username: b.user.username };
    case 'invite:create':
      return { to: w.outsider.user.username, chatId: w.chatId };
    case 'invite:accept':
    case 'invite:reject':
    case 'invite:cancel':
      return { inviteId: w.inviteId };
    case 'chat:history':
      return { chatId: w.chatId, limit: 10 };
    case 'chat:send':
      return { chatId: w.chatId, clientMsgId: 'bad-input', body: 'should not be stored' };
    case 'chat:leave':
    case 'chat:typing':
      return { chatId: w.chatId };
    case 'chat:read':
      return { chatId: w.chatId, seq: 1 };
  }
}

/** Mistyped and operator-object variants of each field of the valid payload. */
function broken(base: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [{ ...base, extra: 1 }, { ...base, $where: '1' }];
  for (const key of Object.keys(base)) {
    out.push({ ...base, [key]: { $gt: '' } });
    out.push({ ...base, [key]: { $ne: null } });
    out.push({ ...base, [key]: [base[key]] });
    out.push({ ...base, [key]: typeof base[key] === 'number' ? String(base[key]) : 12345 });
    out.push({ ...base, [key]: null });
    out.push({ ...base, [key]: true });
  }
  return out;
}

/** The state the broken events could have touched, as seen by everyone involved. */
async function snapshot(w: World) {
  const [a, b, c] = w.members as [TestUser, TestUser, TestUser];
  return {
    aChats: (await ok(a.socket, 'chat:list', {})).chats,
    dChats: (await ok(w.outsider.socket, 'chat:list', {})).chats,
    history: (await ok(b.socket, 'chat:history', { chatId: w.chatId })).messages,
    aInvites: await ok(a.socket, 'invite:list', {}),
    dInvites: await ok(w.outsider.socket, 'invite:list', {}),
    aFriends: await friendsList(a.socket),
    bFriends: await friendsList(b.socket),
    cChats: (await ok(c.socket, 'chat:list', {})).chats.map((x) => x.id),
  };
}

describe('bad input', () => {
  it('every event: non-object payloads, unknown fields, wrong types and operator objects → bad_request, no state change', async () => {
    const w = await world();
    const [a, b] = w.members as [TestUser, TestUser];
    const before = await snapshot(w);
    const nonObjects: unknown[] = ['a string', 42, null, true, [], [{}], ''];
    const sideEvents = [watch(b.socket, 'friend:request'), watch(w.outsider.socket, 'invite:received'), watch(b.socket, 'chat:message'), watch(b.socket, 'chat:member')];
    let checked = 0;
    for (const ev of EVENTS) {
      // the invitee is the one who may accept/reject; the inviter may cancel; a sends the rest
      const who = ev === 'invite:accept' || ev === 'invite:reject' ? w.outsider : a;
      for (const p of nonObjects) {
        expectError(await rawCall(who.socket, ev, p), 'bad_request');
        checked++;
      }
      // no payload at all, only the ack
      expectError(await rawCall(who.socket, ev), 'bad_request');
      for (const p of broken(valid(w, ev))) {
        const res = await rawCall(who.socket, ev, p);
        expect(res.ok ? `${ev} accepted ${JSON.stringify(p)}` : res.error.code).toBe('bad_request');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(await snapshot(w)).toEqual(before);
    for (const s of sideEvents) expect(await s.settle()).toEqual([]);
    closeAll(...w.members, w.outsider);
  });

  it('limits: over-long strings and numbers out of range → bad_request', async () => {
    const w = await world();
    const [a] = w.members as [TestUser];
    const long = 'x'.repeat(10_000);
    expectError(await rawCall(a.socket, 'friends:request', { username: long }), 'bad_request');
    expectError(await rawCall(a.socket, 'invite:create', { to: 'ab' }), 'bad_request');
    expectError(await rawCall(a.socket, 'invite:create', { to: 'has space' }), 'bad_request');
    expectError(await rawCall(a.socket, 'chat:history', { chatId: long }), 'bad_request');
    expectError(await rawCall(a.socket, 'chat:history', { chatId: '' }), 'bad_request');
    expectError(await rawCall(a.socket, 'invite:accept', { inviteId: '' }), 'bad_request');
    expectError(await rawCall(a.socket, 'chat:read', { chatId: w.chatId, seq: -1 }), 'bad_request');
    expectError(await rawCall(a.socket, 'chat:read', { chatId: w.chatId, seq: 1.5 }), 'bad_request');
    expectError(await rawCall(a.socket, 'chat:read', { chatId: w.chatId, seq: Number.MAX_SAFE_INTEGER * 4 }), 'bad_request');
    expectError(await rawCall(a.socket, 'chat:send', { chatId: w.chatId, clientMsgId: 'big', body: 'b'.repeat(20_000) }), 'bad_request');
    const h = await ok(a.socket, 'chat:history', { chatId: w.chatId });
    expect(h.messages.map((m) => m.clientMsgId)).toEqual(['seed']);
    closeAll(...w.members, w.outsider);
  });

  it('a __proto__ key does not pollute anything and is refused', async () => {
    const w = await world();
    const [a] = w.members as [TestUser];
    const poisoned: unknown = JSON.parse(`{"chatId": "${w.chatId}", "__proto__": {"isAdmin": true, "chatId": "x"}}`);
    expectError(await rawCall(a.socket, 'chat:history', poisoned), 'bad_request');
    const poisoned2: unknown = JSON.parse('{"__proto__": {"ok": true}}');
    expectError(await rawCall(a.socket, 'chat:list', poisoned2), 'bad_request');
    // the relay still answers normally
    expect((await ok(a.socket, 'chat:list', {})).chats.length).toBeGreaterThan(0);
    closeAll(...w.members, w.outsider);
  });

  it('binary payloads → bad_request', async () => {
    const w = await world();
    const [a] = w.members as [TestUser];
    expectError(await rawCall(a.socket, 'chat:send', Buffer.from('{"chatId":"x"}')), 'bad_request');
    expectError(await rawCall(a.socket, 'chat:send', { chatId: w.chatId, clientMsgId: 'bin', body: Buffer.from('hello') }), 'bad_request');
    closeAll(...w.members, w.outsider);
  });

  it('an unknown event name with an ack → bad_request; without an ack → nothing, the socket keeps working', async () => {
    const [a] = await users(relay.url, ['a']);
    expectError(await rawCall(a!.socket, 'chat:delete-everything', {}), 'bad_request');
    expectError(await rawCall(a!.socket, 'constructor', {}), 'bad_request');
    expectError(await rawCall(a!.socket, '__proto__', {}), 'bad_request');
    expectError(await rawCall(a!.socket, 'hasOwnProperty', {}), 'bad_request');
    rawEmit(a!.socket, 'no-such-event', {});
    rawEmit(a!.socket, 'toString');
    expect(a!.socket.connected).toBe(true);
    expect(await call(a!.socket, 'chat:list', {})).toEqual({ ok: true, chats: [] });
    closeAll(a!);
  });

  it('events without an ack callback are still processed', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    const got = waitFor(b.socket, 'chat:message');
    rawEmit(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'no-ack', body: 'nobody answers me' });
    expect((await got).message).toMatchObject({ clientMsgId: 'no-ack', body: 'nobody answers me', sender: a.user });
    expect((await ok(c.socket, 'chat:history', { chatId: chat.id })).messages.map((m) => m.clientMsgId)).toEqual(['no-ack']);

    const [e] = await users(relay.url, ['e']);
    const req = waitFor(e!.socket, 'friend:request');
    rawEmit(a.socket, 'friends:request', { username: e!.user.username });
    expect((await req).from).toEqual(a.user);

    const typing = waitFor(c.socket, 'chat:typing');
    rawEmit(b.socket, 'chat:typing', { chatId: chat.id });
    expect((await typing).user).toEqual(b.user);

    const left = waitFor(a.socket, 'chat:member', (p) => p.change === 'left');
    rawEmit(c.socket, 'chat:leave', { chatId: chat.id });
    expect((await left).user).toEqual(c.user);
    // a bad payload without an ack is simply dropped
    rawEmit(a.socket, 'chat:send', 'garbage');
    rawEmit(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'x', body: '' });
    expect((await ok(b.socket, 'chat:history', { chatId: chat.id })).messages.map((m) => m.kind)).toEqual(['text', 'left']);
    closeAll(...members, e!);
  });

  it('an oversized frame and a flood of garbage from one user: the relay stays up and others are unaffected', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    const bMessages = watch(b.socket, 'chat:message');
    let bDisconnected = false;
    b.socket.on('disconnect', () => (bDisconnected = true));
    // garbage flood from c, without waiting
    for (let i = 0; i < 200; i++) rawEmit(c.socket, EVENTS[i % EVENTS.length]!, i % 2 ? 'junk' : { junk: i });
    // a frame far over any limit
    rawEmit(c.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'huge', body: 'h'.repeat(2_000_000) });
    await new Promise((r) => setTimeout(r, 300));
    // b and a still chat
    const got = waitFor(b.socket, 'chat:message', (p) => p.message.clientMsgId === 'still-fine');
    await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'still-fine', body: 'still fine' });
    await got;
    expect(bDisconnected).toBe(false);
    expect(bMessages.seen.map((p) => p.message.clientMsgId)).toEqual(['still-fine']);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    expect(relay.child.exitCode).toBeNull();
    // nothing from the flood was stored
    expect((await ok(a.socket, 'chat:history', { chatId: chat.id })).messages.map((m) => m.clientMsgId)).toEqual(['still-fine']);
    closeAll(...members);
  });

  it('a burst of ordinary reads (a reconnecting client) is not rate limited', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a] = members as [TestUser];
    const reads = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? call(a.socket, 'chat:list', {}) : call(a.socket, 'chat:history', { chatId: chat.id, after: 0 }))));
    expect(reads.filter((r) => !r.ok)).toEqual([]);
    closeAll(...members);
  });

  it('the relay process is still alive after all of the above', async () => {
    expect(relay.child.exitCode).toBeNull();
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    await until(() => a!.socket.connected && b!.socket.connected);
    closeAll(a!, b!);
  });
});
