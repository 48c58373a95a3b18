// Three relays on one DATA_DIR joined through Redis behave as one relay: every live
// event reaches the sockets it is for, whichever relay they are connected to, and a
// logout on one relay disconnects that token's sockets on the others.
import { describe, expect, it } from 'vitest';
import { useRelayCluster } from '../helpers/relay-cluster';
import { call, connect, ok, record, register, signUp, sleep, waitFor, type TestSocket, type TestUser } from '../helpers/clients';

const cluster = useRelayCluster(3);
const url = (i: number): string => cluster.relays[i]!.url;

/** Resolves once the socket is disconnected, or rejects after `ms`. */
function disconnected(socket: TestSocket, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still connected')), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

describe('several relays as one: live events', () => {
  it('friends, invites, chat:joined, messages, typing, read sync and membership changes cross relays', async () => {
    const a = await signUp(url(0), 'a');
    const b = await signUp(url(1), 'b');
    const c = await signUp(url(2), 'c');
    const all: TestUser[] = [a, b, c];
    // a second device of a's, on the third relay
    const a2 = await connect(url(2), a.token);
    try {
      // friend:request and friend:added
      const requested = waitFor(b.socket, 'friend:request');
      await ok(a.socket, 'friends:request', { username: b.user.username });
      expect((await requested).from.id).toBe(a.user.id);
      const addedA = waitFor(a.socket, 'friend:added');
      const addedA2 = waitFor(a2, 'friend:added');
      const accepted = await ok(b.socket, 'friends:accept', { username: a.user.username });
      expect(accepted.friend).toMatchObject({ id: a.user.id, online: true });
      expect((await addedA).friend).toMatchObject({ id: b.user.id, online: true });
      await addedA2;

      // an invite to a user online on another relay is delivered there (not not_online)
      const received = waitFor(b.socket, 'invite:received');
      const { invite } = await ok(a.socket, 'invite:create', { to: b.user.username });
      expect((await received).invite.id).toBe(invite.id);
      const closedForA = waitFor(a.socket, 'invite:closed');
      const joinedA = waitFor(a.socket, 'chat:joined');
      const joinedA2 = waitFor(a2, 'chat:joined');
      const { chat } = await ok(b.socket, 'invite:accept', { inviteId: invite.id });
      expect(await closedForA).toEqual({ inviteId: invite.id, status: 'accepted', chatId: chat.id });
      expect((await joinedA).chat.id).toBe(chat.id);
      expect((await joinedA2).chat.members.map((m) => m.online)).toEqual([true, true]);

      // chat:message to every socket of every member, the sender's other device included
      const onB = waitFor(b.socket, 'chat:message');
      const onA2 = waitFor(a2, 'chat:message');
      const sent = await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'x1', body: 'hello from relay 0' });
      expect((await onB).message).toEqual(sent.message);
      expect((await onA2).message).toEqual(sent.message);

      // chat:typing to the other members only
      const typing = waitFor(a2, 'chat:typing');
      await ok(b.socket, 'chat:typing', { chatId: chat.id });
      expect((await typing).user.id).toBe(b.user.id);

      // chat:read to the reader's other sockets, not the one that read
      const readOnA = record(a.socket, 'chat:read');
      const readOnA2 = waitFor(a2, 'chat:read');
      await ok(a.socket, 'chat:read', { chatId: chat.id, seq: sent.message.seq });
      expect(await readOnA2).toEqual({ chatId: chat.id, seq: sent.message.seq });
      await sleep(300);
      expect(readOnA).toEqual([]);

      // a group forked from the direct chat: chat:joined for all three, on three relays
      await ok(a.socket, 'friends:request', { username: c.user.username });
      await ok(c.socket, 'friends:accept', { username: a.user.username });
      const groupJoins = all.map((u) => waitFor(u.socket, 'chat:joined', (p) => p.chat.kind === 'group'));
      const toC = waitFor(c.socket, 'invite:received');
      const groupInvite = await ok(a.socket, 'invite:create', { to: c.user.username, chatId: chat.id });
      await toC;
      const { chat: group } = await ok(c.socket, 'invite:accept', { inviteId: groupInvite.invite.id });
      for (const j of await Promise.all(groupJoins)) expect(j.chat.id).toBe(group.id);

      // the new member can use the chat at once on every relay (no stale membership)
      const inGroup = waitFor(a2, 'chat:message', (p) => p.message.chatId === group.id);
      await ok(c.socket, 'chat:send', { chatId: group.id, clientMsgId: 'c1', body: 'hi all' });
      await inGroup;
      const c2 = await connect(url(0), c.token);
      await ok(c2, 'chat:history', { chatId: group.id });

      // chat:member and chat:left when c leaves; c then gets not_found on every relay
      const memberLeft = waitFor(b.socket, 'chat:member');
      const leftOnC2 = waitFor(c2, 'chat:left');
      await ok(c.socket, 'chat:leave', { chatId: group.id });
      expect(await memberLeft).toMatchObject({ chatId: group.id, change: 'left', user: { id: c.user.id } });
      await leftOnC2;
      for (const s of [c.socket, c2]) {
        const res = await call(s, 'chat:send', { chatId: group.id, clientMsgId: 'late', body: 'gone' });
        expect(res.ok ? 'ok' : res.error.code).toBe('not_found');
      }
      c2.close();

      // friend:removed to both, across relays
      const removed = waitFor(c.socket, 'friend:removed');
      await ok(a.socket, 'friends:remove', { username: c.user.username });
      expect(await removed).toEqual({ userId: a.user.id });
    } finally {
      a2.close();
      for (const u of all) u.socket.close();
    }
  });

  it('logout on one relay disconnects that token on every relay, and only that token', async () => {
    const auth = await register(url(0));
    const other = await fetch(`${url(1)}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: auth.user.username, password: 'correct horse' }),
    });
    const { token: otherToken } = (await other.json()) as { token: string };
    const onRelay1 = await connect(url(1), auth.token);
    const onRelay2 = await connect(url(2), auth.token);
    const otherDevice = await connect(url(2), otherToken);
    try {
      const gone1 = disconnected(onRelay1);
      const gone2 = disconnected(onRelay2);
      const res = await fetch(`${url(0)}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${auth.token}` } });
      expect(res.status).toBe(204);
      expect(await gone1).toBe('io server disconnect');
      expect(await gone2).toBe('io server disconnect');
      await sleep(300);
      expect(otherDevice.connected).toBe(true);
      await expect(connect(url(1), auth.token)).rejects.toThrow('unauthorized');
    } finally {
      for (const s of [onRelay1, onRelay2, otherDevice]) s.close();
    }
  });
});
