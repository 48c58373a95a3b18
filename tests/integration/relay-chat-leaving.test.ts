// Chats after leaving: forks of a half-empty direct chat, duplicate member sets that
// arise by leaving (rules 4, 5), and leaving itself (rule 7).
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRelay } from '../helpers/use-relay';
import { befriend, call, inviteAndAccept, ok, waitFor, type TestUser } from '../helpers/clients';
import { anotherSocket, chatIds, closeAll, directPair, expectChatHidden, expectError, group, ids, sendMany, users, watch } from '../helpers/scenarios';

const relay = useRelay();

/** Rows of the chat in the relay's store file, read by a connection of the test's own. */
function rowsOnDisk(chatId: string): { chats: number; members: number; messages: number } {
  const db = new Database(join(relay.dataDir, 'relay.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const count = (table: string, column: string) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).get(chatId) as { n: number }).n;
    return { chats: count('chats', 'id'), members: count('members', 'chat_id'), messages: count('messages', 'chat_id') };
  } finally {
    db.close();
  }
}

describe('forks and duplicates after leaving (rules 4, 5)', () => {
  it('inviting someone else into a direct chat the other has left makes a group of the current members plus the invitee', async () => {
    const { a, b, chat: direct } = await directPair(relay.url);
    const [c] = await users(relay.url, ['c']);
    await befriend(a, c!);
    await ok(b.socket, 'chat:leave', { chatId: direct.id });
    const g = await inviteAndAccept(a, c!, direct.id);
    expect(g.kind).toBe('group');
    expect(g.id).not.toBe(direct.id);
    expect(ids(g.members)).toEqual(ids([a.user, c!.user]));
    // the direct chat is as it was: a alone
    const d = (await ok(a.socket, 'chat:list', {})).chats.find((x) => x.id === direct.id)!;
    expect(ids(d.members)).toEqual([a.user.id]);
    closeAll(a, b, c!);
  });

  it('a fork invite accepted after the other member left: the group is the direct chat’s members at acceptance plus the invitee', async () => {
    const { a, b, chat: direct } = await directPair(relay.url);
    const [c] = await users(relay.url, ['c']);
    await befriend(a, c!);
    const received = waitFor(c!.socket, 'invite:received');
    await ok(a.socket, 'invite:create', { to: c!.user.username, chatId: direct.id });
    const { invite } = await received;
    expect(ids(invite.members)).toEqual(ids([a.user, b.user]));
    await ok(b.socket, 'chat:leave', { chatId: direct.id });
    const { chat: g } = await ok(c!.socket, 'invite:accept', { inviteId: invite.id });
    expect(g.kind).toBe('group');
    expect(ids(g.members)).toEqual(ids([a.user, c!.user]));
    expect(await chatIds(b.socket)).toEqual([]);
    closeAll(a, b, c!);
  });

  it('after both left a direct chat, inviting with its chatId is not_found; only a direct invite brings it back', async () => {
    const { a, b, chat } = await directPair(relay.url);
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    expectError(await call(a.socket, 'invite:create', { to: b.user.username, chatId: chat.id }), 'not_found');
    const back = await inviteAndAccept(a, b);
    expect(back.id).toBe(chat.id);
    closeAll(a, b);
  });

  it('that fork is refused with duplicate_members when the two already share an active direct chat', async () => {
    const { a, b, chat: direct } = await directPair(relay.url);
    const [c] = await users(relay.url, ['c']);
    await befriend(a, c!);
    const ac = await inviteAndAccept(a, c!);
    await ok(b.socket, 'chat:leave', { chatId: direct.id });
    const err = expectError(await call(a.socket, 'invite:create', { to: c!.user.username, chatId: direct.id }), 'duplicate_members');
    expect(err.chatId).toBe(ac.id);
    closeAll(a, b, c!);
  });

  it('a group that shrank to the pair blocks bringing the pair back into their direct chat (duplicate_members names the group)', async () => {
    const { members, chat: g, direct } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    await ok(c.socket, 'chat:leave', { chatId: g.id });
    // g = {a, b} now, next to the direct chat {a, b}: allowed, they arose by leaving
    await ok(b.socket, 'chat:leave', { chatId: direct.id });
    for (const p of [{ to: b.user.username, chatId: direct.id }, { to: b.user.username }]) {
      const err = expectError(await call(a.socket, 'invite:create', p), 'duplicate_members');
      expect(err.chatId).toBe(g.id);
    }
    closeAll(...members);
  });
});

describe('leaving (rule 7)', () => {
  it('chat:left on all the leaver’s sockets, chat:member left to the others, chat gone from the leaver’s list', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    const a2 = await anotherSocket(relay.url, a);
    const left = [a.socket, a2].map((s) => waitFor(s, 'chat:left'));
    const others = [b, c].map((u) => waitFor(u.socket, 'chat:member'));
    expect(await call(a.socket, 'chat:leave', { chatId: chat.id })).toEqual({ ok: true });
    for (const l of await Promise.all(left)) expect(l).toEqual({ chatId: chat.id });
    const entry = { id: expect.any(String), chatId: chat.id, seq: chat.lastSeq + 1, kind: 'left', sender: a.user, body: '', clientMsgId: '', createdAt: expect.any(String) };
    for (const m of await Promise.all(others)) expect(m).toEqual({ chatId: chat.id, user: a.user, change: 'left', message: entry });
    // the entry is in the timeline at its seq, for those still there
    expect((await ok(b.socket, 'chat:history', { chatId: chat.id })).messages).toEqual([entry]);
    expect(await chatIds(a2)).not.toContain(chat.id);
    const rest = (await ok(b.socket, 'chat:list', {})).chats.find((x) => x.id === chat.id);
    expect(ids(rest!.members)).toEqual(ids([b.user, c.user]));
    // the chat keeps working for the rest, and the leaver does not hear it
    const aMsgs = watch(a.socket, 'chat:message');
    const cGot = waitFor(c.socket, 'chat:message');
    await ok(b.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'after', body: 'still going' });
    await cGot;
    expect(await aMsgs.settle()).toEqual([]);
    closeAll(...members, a2);
  });

  it('the last member leaving a group deletes it: not_found for everyone, not revivable by invite', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    await sendMany(a, chat.id, 2);
    // acknowledged once in the relay's message log; in the tables once it is applied there,
    // a moment after the sends pause
    await expect.poll(() => rowsOnDisk(chat.id), { timeout: 10_000 }).toEqual({ chats: 1, members: 3, messages: 2 });
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    const left = waitFor(c.socket, 'chat:left');
    await ok(c.socket, 'chat:leave', { chatId: chat.id });
    await left;
    for (const u of members) await expectChatHidden(u.socket, chat.id);
    expectError(await call(c.socket, 'invite:create', { to: a.user.username, chatId: chat.id }), 'not_found');
    // Deleted, not merely hidden: the chat and every message are gone from the store file.
    expect(rowsOnDisk(chat.id)).toEqual({ chats: 0, members: 0, messages: 0 });
    closeAll(...members);
  });

  it('a lone remaining member of a group can keep sending', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    const { message } = await ok(c.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'alone', body: 'anyone?' });
    expect(message.chatId).toBe(chat.id);
    expect(await chatIds(c.socket)).toEqual([chat.id]);
    closeAll(...members);
  });

  it('every member leaving at the same moment: all acks ok, the group is deleted once, pending invites into it closed', async () => {
    const { members, chat } = await group(relay.url, 4);
    const [a] = members as [TestUser];
    const [e] = await users(relay.url, ['e']);
    await befriend(a, e!);
    const received = waitFor(e!.socket, 'invite:received');
    await ok(a.socket, 'invite:create', { to: e!.user.username, chatId: chat.id });
    const { invite } = await received;
    const closed = waitFor(e!.socket, 'invite:closed', (p) => p.inviteId === invite.id);
    const results = await Promise.all(members.map((m) => call(m.socket, 'chat:leave', { chatId: chat.id })));
    expect(results).toEqual(members.map(() => ({ ok: true })));
    expect((await closed).status).toBe('cancelled');
    for (const m of members) await expectChatHidden(m.socket, chat.id);
    expectError(await call(e!.socket, 'invite:accept', { inviteId: invite.id }), 'invite_closed');
    closeAll(...members, e!);
  });

  it('a former group member invited back joins the same group and sees its whole history, including what was sent meanwhile', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    const early = await sendMany(a, chat.id, 2, 'early');
    await ok(c.socket, 'chat:leave', { chatId: chat.id });
    const meanwhile = await sendMany(b, chat.id, 2, 'meanwhile');
    const memberEvents = [a, b].map((u) => waitFor(u.socket, 'chat:member', (p) => p.change === 'joined'));
    const back = await inviteAndAccept(a, c, chat.id);
    expect(back.id).toBe(chat.id);
    const joinedEntry = expect.objectContaining({ kind: 'joined', sender: c.user, seq: meanwhile[1]!.seq + 1, body: '', clientMsgId: '' });
    for (const m of await Promise.all(memberEvents)) expect(m).toEqual({ chatId: chat.id, user: c.user, change: 'joined', message: joinedEntry });
    const h = await ok(c.socket, 'chat:history', { chatId: chat.id });
    // "c left" between the early messages and those sent meanwhile; "c joined" last
    expect(h.messages.map((m) => [m.kind, m.sender.id, m.body])).toEqual([
      ...early.map((m) => ['text', a.user.id, m.body]),
      ['left', c.user.id, ''],
      ...meanwhile.map((m) => ['text', b.user.id, m.body]),
      ['joined', c.user.id, ''],
    ]);
    expect(h.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back.lastSeq).toBe(6);
    closeAll(...members);
  });
});
