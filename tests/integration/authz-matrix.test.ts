// Authorization matrix: every chat-scoped event against every kind of non-member, every
// invite action against every party, and tokens that are missing, forged, revoked or
// expired. Non-members must learn nothing (not_found, the same answer a chat that does
// not exist gets) and change nothing (no message, no event to members).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chat, ClientEvent, ServerEvent } from '../../protocol/types';
import { befriend, call, inviteAndAccept, ok, register, signUp, sleep, waitFor, type TestSocket, type TestUser } from '../helpers/clients';
import { asWireError, disconnected, expectRefusal, fullHistory, httpPost, rawCall, tryConnect } from '../helpers/fault-sockets';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { NOTHING_MORE_MS } from '../helpers/scenarios';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelay();
});
afterAll(async () => {
  await relay?.stop();
  relay?.cleanup();
});

/** What every socket in `users` hears of the chat-scoped server events from now on. */
function listen(users: TestUser[]): { events: () => { who: string; event: ServerEvent; payload: unknown }[] } {
  const seen: { who: string; event: ServerEvent; payload: unknown }[] = [];
  const events: ServerEvent[] = ['chat:message', 'chat:typing', 'chat:member', 'chat:read', 'chat:left', 'chat:joined', 'invite:received', 'invite:closed'];
  for (const u of users) for (const e of events) (u.socket as unknown as { on(ev: string, cb: (p: unknown) => void): void }).on(e, (p) => seen.push({ who: u.user.username, event: e, payload: p }));
  return { events: () => seen };
}

/** The chat-scoped attempts a non-member makes, with the payload each one carries. */
function attempts(chatId: string, invitees: string[]): [ClientEvent, Record<string, unknown>][] {
  return [
    ['chat:history', { chatId }],
    ['chat:history', { chatId, after: 0, limit: 200 }],
    ['chat:send', { chatId, clientMsgId: `intruder-${randomUUID().slice(0, 8)}`, body: 'let me in' }],
    ['chat:typing', { chatId }],
    ['chat:read', { chatId, seq: 1 }],
    ...invitees.map((to): [ClientEvent, Record<string, unknown>] => ['invite:create', { to, chatId }]),
    ['chat:leave', { chatId }],
  ];
}

interface ChatView {
  chat: Chat | undefined;
  history: unknown[];
}

async function viewOf(u: TestUser, chatId: string): Promise<ChatView> {
  const { chats } = await ok(u.socket, 'chat:list', {});
  const chat = chats.find((c) => c.id === chatId);
  return { chat, history: chat ? await fullHistory(u.socket, chatId) : [] };
}

describe('chat-scoped events × roles', () => {
  let m1: TestUser, m2: TestUser, m3: TestUser, fm: TestUser, nf: TestUser, st: TestUser, out: TestUser;
  let group: Chat;
  let direct: Chat; // m1 and fm; fm has left it

  beforeAll(async () => {
    [m1, m2, m3, fm, nf, st, out] = await Promise.all(['m', 'm', 'm', 'former', 'friend', 'stranger', 'out'].map((p) => signUp(relay.url, p)));
    for (const u of [m2, m3, fm, nf]) await befriend(m1, u);
    for (const u of [m1, m2, fm, nf, st]) await befriend(out, u);
    const d12 = await inviteAndAccept(m1, m2);
    const joined = waitFor(m3.socket, 'chat:joined');
    group = await inviteAndAccept(m1, m3, d12.id);
    await joined;
    await inviteAndAccept(m1, fm, group.id);
    direct = await inviteAndAccept(m1, fm);
    await ok(m1.socket, 'chat:send', { chatId: group.id, clientMsgId: 'g1', body: 'group before fm left' });
    await ok(m1.socket, 'chat:send', { chatId: direct.id, clientMsgId: 'd1', body: 'direct before fm left' });
    await ok(fm.socket, 'chat:leave', { chatId: group.id });
    await ok(fm.socket, 'chat:leave', { chatId: direct.id });
  });

  afterAll(() => {
    for (const u of [m1, m2, m3, fm, nf, st, out]) u?.socket.close();
  });

  const roles = ['former member', 'non-member friend', 'stranger'] as const;
  for (const which of ['group', 'direct'] as const) {
    for (const role of roles) {
      it(`${which} chat: a ${role} gets not_found for every chat event and changes nothing`, async () => {
        const chat = which === 'group' ? group : direct;
        const members = which === 'group' ? [m1, m2, m3] : [m1];
        const actor = role === 'former member' ? fm : role === 'non-member friend' ? nf : st;
        const before = await viewOf(m1, chat.id);
        const heard = listen([...members, out]);
        const baseline = await call(m1.socket, 'chat:history', { chatId: randomUUID() });
        expectRefusal(baseline, 'not_found', 'a chat that does not exist');

        for (const [event, payload] of attempts(chat.id, [out, m1, st, nf].filter((u) => u !== actor).map((u) => u.user.username))) {
          const res = await rawCall(actor.socket, event, [payload]);
          expectRefusal(res, 'not_found', `${role} ${event} ${JSON.stringify(payload)}`);
          // indistinguishable from a chat that does not exist
          const same = await rawCall(actor.socket, event, [{ ...payload, chatId: randomUUID() }]);
          expect(asWireError(res), `${event}: a non-member's answer differs from a missing chat's`).toEqual(asWireError(same));
        }
        await sleep(NOTHING_MORE_MS);
        expect(heard.events(), 'members heard something from a non-member').toEqual([]);
        expect(await viewOf(m1, chat.id)).toEqual(before);
        expect((await ok(out.socket, 'invite:list', {})).incoming.filter((i) => i.from.id === actor.user.id)).toEqual([]);
        expect(actor.socket.connected).toBe(true);
      });
    }
  }

  it('a former member hears nothing of the chat any more', async () => {
    const heardByFormer = listen([fm]);
    const got = [m2, m3].map((m) => waitFor(m.socket, 'chat:typing', (p) => p.chatId === group.id));
    await ok(m1.socket, 'chat:typing', { chatId: group.id });
    await Promise.all(got);
    const msg = waitFor(m3.socket, 'chat:message', (p) => p.message.clientMsgId === 'after-fm');
    await ok(m1.socket, 'chat:send', { chatId: group.id, clientMsgId: 'after-fm', body: 'fm is gone' });
    await msg;
    await sleep(NOTHING_MORE_MS);
    expect(heardByFormer.events()).toEqual([]);
  });

  it('members succeed at every chat event', async () => {
    // group: m2 acts, m1 and m3 hear it
    expect((await ok(m2.socket, 'chat:history', { chatId: group.id })).messages.length).toBeGreaterThan(0);
    const typing = [m1, m3].map((m) => waitFor(m.socket, 'chat:typing', (p) => p.chatId === group.id && p.user.id === m2.user.id));
    await ok(m2.socket, 'chat:typing', { chatId: group.id });
    await Promise.all(typing);
    const delivered = [m1, m3].map((m) => waitFor(m.socket, 'chat:message', (p) => p.message.clientMsgId === 'm2-ok'));
    const { message } = await ok(m2.socket, 'chat:send', { chatId: group.id, clientMsgId: 'm2-ok', body: 'member speaks' });
    for (const d of delivered) expect((await d).message).toEqual(message);
    await ok(m2.socket, 'chat:read', { chatId: group.id, seq: message.seq });
    expect((await ok(m2.socket, 'chat:list', {})).chats.find((c) => c.id === group.id)?.readSeq).toBe(message.seq);
    const received = waitFor(out.socket, 'invite:received');
    const { invite } = await ok(m2.socket, 'invite:create', { to: out.user.username, chatId: group.id });
    expect((await received).invite.id).toBe(invite.id);
    await ok(m2.socket, 'invite:cancel', { inviteId: invite.id });
    const left = [m1, m2].map((m) => waitFor(m.socket, 'chat:member', (p) => p.chatId === group.id && p.change === 'left' && p.user.id === m3.user.id));
    await ok(m3.socket, 'chat:leave', { chatId: group.id });
    await Promise.all(left);
    expectRefusal(await call(m3.socket, 'chat:history', { chatId: group.id }), 'not_found', 'm3 after leaving');

    // direct: m1 is its only member now and may still use it
    await ok(m1.socket, 'chat:history', { chatId: direct.id });
    await ok(m1.socket, 'chat:typing', { chatId: direct.id });
    await ok(m1.socket, 'chat:send', { chatId: direct.id, clientMsgId: 'alone', body: 'anyone?' });
    await ok(m1.socket, 'chat:read', { chatId: direct.id, seq: 1 });
    await ok(m1.socket, 'chat:leave', { chatId: direct.id });
  });
});

describe('invite actions × parties', () => {
  let inviter: TestUser, invitee: TestUser, third: TestUser;

  beforeAll(async () => {
    [inviter, invitee, third] = await Promise.all(['inviter', 'invitee', 'third'].map((p) => signUp(relay.url, p)));
    await befriend(inviter, invitee);
    await befriend(third, inviter);
    await befriend(third, invitee);
  });
  afterAll(() => {
    for (const u of [inviter, invitee, third]) u?.socket.close();
  });

  async function pendingInvite(): Promise<string> {
    const received = waitFor(invitee.socket, 'invite:received');
    const { invite } = await ok(inviter.socket, 'invite:create', { to: invitee.user.username });
    await received;
    return invite.id;
  }

  const forbiddenFor: [ClientEvent, () => TestUser][] = [
    ['invite:accept', () => inviter],
    ['invite:accept', () => third],
    ['invite:reject', () => inviter],
    ['invite:reject', () => third],
    ['invite:cancel', () => invitee],
    ['invite:cancel', () => third],
  ];

  it('only the invitee accepts or rejects and only the inviter cancels; others get forbidden and change nothing', async () => {
    const outcomes: [ClientEvent, () => TestUser][] = [
      ['invite:reject', () => invitee],
      ['invite:cancel', () => inviter],
      ['invite:accept', () => invitee],
    ];
    for (const [finalEvent, finalActor] of outcomes) {
      const inviteId = await pendingInvite();
      const heard = listen([inviter, invitee, third]);
      for (const [event, who] of forbiddenFor) {
        expectRefusal(await rawCall(who().socket, event, [{ inviteId }]), 'forbidden', `${event} by ${who().user.username}`);
      }
      await sleep(NOTHING_MORE_MS);
      expect(heard.events(), 'a forbidden action announced something').toEqual([]);
      expect((await ok(invitee.socket, 'invite:list', {})).incoming.map((i) => i.id)).toEqual([inviteId]);
      expect((await ok(inviter.socket, 'invite:list', {})).outgoing.map((i) => i.id)).toEqual([inviteId]);
      expect((await ok(third.socket, 'chat:list', {})).chats).toEqual([]);

      const closed = waitFor(inviter.socket, 'invite:closed', (p) => p.inviteId === inviteId);
      await ok(finalActor().socket, finalEvent, { inviteId } as never);
      expect((await closed).status).toBe(finalEvent === 'invite:accept' ? 'accepted' : finalEvent === 'invite:reject' ? 'rejected' : 'cancelled');

      // once closed: the right party hears invite_closed, everyone else still forbidden
      for (const [event, who] of forbiddenFor) expectRefusal(await rawCall(who().socket, event, [{ inviteId }]), 'forbidden', `${event} by ${who().user.username} after close`);
      expectRefusal(await call(invitee.socket, 'invite:accept', { inviteId }), 'invite_closed', 'accepting a closed invite');
      expectRefusal(await call(invitee.socket, 'invite:reject', { inviteId }), 'invite_closed', 'rejecting a closed invite');
    }
    expect((await ok(third.socket, 'chat:list', {})).chats).toEqual([]);
  });

  it('an invite id that names nothing is not_found for every party', async () => {
    for (const event of ['invite:accept', 'invite:reject', 'invite:cancel'] as const) {
      for (const u of [inviter, invitee, third]) expectRefusal(await call(u.socket, event, { inviteId: randomUUID() }), 'not_found', event);
    }
  });
});

describe('tokens', () => {
  it('refuses a missing, forged or malformed token with unauthorized', async () => {
    const auths: Record<string, unknown>[] = [
      {},
      { token: '' },
      { token: 'not-a-token' },
      { token: { $gt: '' } },
      { token: ['a'] },
      { token: 12345 },
      { token: null },
      { token: 'x'.repeat(10_000) },
      { token: "' OR 1=1 --" },
    ];
    for (const auth of auths) expect(await tryConnect(relay.url, auth), JSON.stringify(auth).slice(0, 80)).toEqual({ error: 'unauthorized' });
  });

  it('a token revoked by /api/logout disconnects its sockets and is refused afterwards; other tokens live on', async () => {
    const u = await signUp(relay.url, 'rev');
    const second = await httpPost(relay.url, '/api/login', JSON.stringify({ username: u.user.username, password: 'correct horse' }), { 'content-type': 'application/json' });
    expect(second.status).toBe(200);
    const otherToken = (second.json as { token: string }).token;
    const sameToken = await tryConnect(relay.url, { token: u.token });
    const other = await tryConnect(relay.url, { token: otherToken });
    if (!('socket' in sameToken) || !('socket' in other)) throw new Error('could not connect');
    const gone = [disconnected(u.socket), disconnected(sameToken.socket)];

    const res = await httpPost(relay.url, '/api/logout', undefined, { authorization: `Bearer ${u.token}` });
    expect(res.status).toBe(204);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await tryConnect(relay.url, { token: u.token })).toEqual({ error: 'unauthorized' });
    expect((await httpPost(relay.url, '/api/logout', undefined, { authorization: `Bearer ${u.token}` })).status).toBe(401);

    expect(other.socket.connected).toBe(true);
    await ok(other.socket as TestSocket, 'chat:list', {});
    other.socket.close();
  });

  it('an expired token is refused, and ends the sockets already connected with it (TOKEN_TTL_SECONDS=3)', async () => {
    const short = await startRelay({ env: { TOKEN_TTL_SECONDS: '3' } });
    try {
      const issued = Date.now();
      const auth = await register(short.url);
      const fresh = await tryConnect(short.url, { token: auth.token });
      if (!('socket' in fresh)) throw new Error(`connect: ${fresh.error}`);
      // Connected before the expiry, it is ended by the relay once the token expires.
      const reason = await new Promise<string>((r) => fresh.socket.once('disconnect', (why) => r(why)));
      expect(reason).toBe('io server disconnect');
      expect(Date.now() - issued).toBeGreaterThanOrEqual(2900);
      expect(await tryConnect(short.url, { token: auth.token })).toEqual({ error: 'unauthorized' });
      // a new sign-in works again
      const login = await httpPost(short.url, '/api/login', JSON.stringify({ username: auth.user.username, password: 'correct horse' }), { 'content-type': 'application/json' });
      expect(login.status).toBe(200);
      const again = await tryConnect(short.url, { token: (login.json as { token: string }).token });
      expect('socket' in again).toBe(true);
      if ('socket' in again) again.socket.close();
    } finally {
      await short.stop();
      short.cleanup();
    }
  });
});
