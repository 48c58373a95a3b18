// Chats: rule 3 (one direct chat per pair, surviving both leaving), rule 4 (groups,
// forks from a direct chat, independence), rule 7 (leaving, deletion, not_found).
import { describe, expect, it } from 'vitest';
import type { Message } from '../../protocol/types';
import { useRelay } from '../helpers/use-relay';
import { befriend, call, inviteAndAccept, ok, waitFor, type TestUser } from '../helpers/clients';
import { chatIds, closeAll, directPair, expectChatHidden, expectError, group, ids, sendMany, users, watch } from '../helpers/scenarios';

const relay = useRelay();

describe('direct chats (rule 3)', () => {
  it('chat:list shows the active chat with its shape', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const { chats } = await ok(a.socket, 'chat:list', {});
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ id: chat.id, kind: 'direct', lastSeq: 0, readSeq: 0, createdAt: chat.createdAt });
    expect(ids(chats[0]!.members)).toEqual(ids([a.user, b.user]));
    closeAll(a, b);
  });

  it('after both leave: inactive and not_found to both; the next invite brings back the same id with history and continuing seq', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const before = await sendMany(a, chat.id, 3, 'old');
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    await expectChatHidden(a.socket, chat.id);
    await expectChatHidden(b.socket, chat.id);

    const joined = [a, b].map((u) => waitFor(u.socket, 'chat:joined'));
    const back = await inviteAndAccept(b, a);
    expect(back.id).toBe(chat.id);
    expect(back.kind).toBe('direct');
    // two leaves and two joins, each an entry in the timeline
    expect(back.lastSeq).toBe(before[2]!.seq + 4);
    // both became members again: chat:joined to both, with the same chat
    for (const j of await Promise.all(joined)) expect(j.chat).toMatchObject({ id: chat.id, kind: 'direct', lastSeq: before[2]!.seq + 4 });
    const h = await ok(a.socket, 'chat:history', { chatId: chat.id });
    expect(h.messages.map((m) => (m.kind === 'text' ? m.id : `${m.kind} ${m.sender.username}`))).toEqual([
      ...before.map((m) => m.id),
      `left ${b.user.username}`,
      `left ${a.user.username}`,
      `joined ${b.user.username}`,
      `joined ${a.user.username}`,
    ]);
    const { message } = await ok(b.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'new', body: 'again' });
    expect(message.seq).toBeGreaterThan(before[2]!.seq);
    expect(await chatIds(a.socket)).toEqual([chat.id]);
    closeAll(a, b);
  });

  it('a clientMsgId used before both left still answers the original message after the chat comes back', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const { message: first } = await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'keep', body: 'one' });
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    await inviteAndAccept(a, b);
    const { message: again } = await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'keep', body: 'one' });
    expect(again).toEqual(first);
    closeAll(a, b);
  });

  it('inviting the pair’s other user back with chatId re-adds them: chat:joined to them, chat:member to the one who stayed', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const old = await sendMany(a, chat.id, 2);
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    const joined = waitFor(b.socket, 'chat:joined');
    const member = waitFor(a.socket, 'chat:member', (p) => p.change === 'joined');
    const aJoined = watch(a.socket, 'chat:joined');
    const back = await inviteAndAccept(a, b, chat.id);
    expect(back.id).toBe(chat.id);
    expect(back.kind).toBe('direct');
    expect((await joined).chat.id).toBe(chat.id);
    const entry = { id: expect.any(String), chatId: chat.id, seq: old[1]!.seq + 2, kind: 'joined', sender: b.user, body: '', clientMsgId: '', createdAt: expect.any(String) };
    expect(await member).toEqual({ chatId: chat.id, user: b.user, change: 'joined', message: entry });
    expect(await aJoined.settle()).toEqual([]);
    const h = (await ok(b.socket, 'chat:history', { chatId: chat.id })).messages;
    expect(h.map((m) => [m.kind, m.seq])).toEqual([['text', 1], ['text', 2], ['left', 3], ['joined', 4]]);
    expect(h[3]).toEqual(entry);
    closeAll(a, b);
  });

  it('a direct invite (no chatId) while the other is still a member also brings the leaver back into the same chat', async () => {
    const { a, b, chat } = await directPair(relay.url);
    await ok(a.socket, 'chat:leave', { chatId: chat.id });
    const back = await inviteAndAccept(b, a);
    expect(back.id).toBe(chat.id);
    expect(ids(back.members)).toEqual(ids([a.user, b.user]));
    closeAll(a, b);
  });
});

describe('not_found for non-members (rule 7, "never confirms a chat")', () => {
  it('a former member gets not_found for history, send, typing, read and leave', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b] = members as [TestUser, TestUser];
    await sendMany(a, chat.id, 1);
    await ok(b.socket, 'chat:leave', { chatId: chat.id });
    await expectChatHidden(b.socket, chat.id);
    closeAll(...members);
  });

  it('a stranger and a made-up id get the same not_found', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const [c] = await users(relay.url, ['c']);
    await expectChatHidden(c!.socket, chat.id);
    await expectChatHidden(c!.socket, 'no-such-chat-id');
    closeAll(a, b, c!);
  });
});

describe('group chats (rule 4)', () => {
  it('inviting a third into a direct chat creates a new group with empty history; the direct chat is unchanged', async () => {
    const { a, b, chat: direct } = await directPair(relay.url);
    const old = await sendMany(a, direct.id, 2);
    const [c] = await users(relay.url, ['c']);
    await befriend(a, c!);
    const joined = [a, b, c!].map((u) => waitFor(u.socket, 'chat:joined', (p) => p.chat.kind === 'group'));
    const bMember = watch(b.socket, 'chat:member');
    const g = await inviteAndAccept(a, c!, direct.id);
    expect(g.kind).toBe('group');
    expect(g.id).not.toBe(direct.id);
    expect(g.lastSeq).toBe(0);
    expect(ids(g.members)).toEqual(ids([a.user, b.user, c!.user]));
    for (const j of await Promise.all(joined)) expect(j.chat.id).toBe(g.id);
    // everyone became a member of a new chat: chat:joined, not chat:member
    expect(await bMember.settle()).toEqual([]);
    expect((await ok(c!.socket, 'chat:history', { chatId: g.id })).messages).toEqual([]);
    expect((await ok(b.socket, 'chat:history', { chatId: g.id })).messages).toEqual([]);
    // the direct chat: same members, same history, c not in it
    const dh = await ok(a.socket, 'chat:history', { chatId: direct.id });
    expect(dh.messages.map((m) => m.id)).toEqual(old.map((m) => m.id));
    const listed = (await ok(b.socket, 'chat:list', {})).chats;
    expect(listed.map((c2) => c2.id).sort()).toEqual([direct.id, g.id].sort());
    expect(ids(listed.find((x) => x.id === direct.id)!.members)).toEqual(ids([a.user, b.user]));
    expectError(await call(c!.socket, 'chat:history', { chatId: direct.id }), 'not_found');
    // messages stay in their own chat
    const inGroup = waitFor(c!.socket, 'chat:message');
    await ok(b.socket, 'chat:send', { chatId: g.id, clientMsgId: 'g1', body: 'group hello' });
    expect((await inGroup).message.chatId).toBe(g.id);
    expect((await ok(a.socket, 'chat:history', { chatId: direct.id })).messages).toHaveLength(2);
    closeAll(a, b, c!);
  });

  it('a fourth member: chat:joined to the newcomer, chat:member joined to the others, whole history visible', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    const history = [...(await sendMany(a, chat.id, 2, 'a')), ...(await sendMany(b, chat.id, 2, 'b'))];
    const [d] = await users(relay.url, ['d']);
    await befriend(a, d!);
    const dJoined = waitFor(d!.socket, 'chat:joined');
    const memberEvents = [a, b, c].map((u) => waitFor(u.socket, 'chat:member'));
    const oldJoined = [a, b, c].map((u) => watch(u.socket, 'chat:joined'));
    const got = await inviteAndAccept(a, d!, chat.id);
    expect(got.id).toBe(chat.id);
    expect(got.kind).toBe('group');
    expect(got.lastSeq).toBe(history[3]!.seq + 1);
    const joinedChat = (await dJoined).chat;
    expect(joinedChat.id).toBe(chat.id);
    expect(ids(joinedChat.members)).toEqual(ids([a.user, b.user, c.user, d!.user]));
    const entry = expect.objectContaining({ kind: 'joined', sender: d!.user, seq: got.lastSeq });
    for (const m of await Promise.all(memberEvents)) expect(m).toEqual({ chatId: chat.id, user: d!.user, change: 'joined', message: entry });
    for (const w of oldJoined) expect(await w.settle()).toEqual([]);
    const h = await ok(d!.socket, 'chat:history', { chatId: chat.id });
    expect(h.messages.map((m) => m.id)).toEqual([...history.map((m) => m.id), expect.any(String)]);
    expect(h.messages.at(-1)).toEqual(entry);
    // the founders of the group got no entries: the first seq is the first message
    expect(h.messages[0]!.seq).toBe(1);
    expect(h.hasMore).toBe(false);
    closeAll(...members, d!);
  });

  it('two groups with equal member sets stay independent', async () => {
    const { members, chat: g1, direct } = await group(relay.url, 4);
    const [a, b, c, d] = members as [TestUser, TestUser, TestUser, TestUser];
    // g1 = {a, b, c, d}; fork the a-b direct chat with c: {a, b, c} is free now
    const g2 = await inviteAndAccept(a, c, direct.id);
    expect(g2.id).not.toBe(g1.id);
    await ok(d.socket, 'chat:leave', { chatId: g1.id });
    // g1 and g2 now both have exactly {a, b, c}
    const list = (await ok(c.socket, 'chat:list', {})).chats;
    const g1Now = list.find((x) => x.id === g1.id)!;
    const g2Now = list.find((x) => x.id === g2.id)!;
    expect(ids(g1Now.members)).toEqual(ids(g2Now.members));
    const m1 = await sendMany(a, g1.id, 2, 'one');
    const m2 = await sendMany(b, g2.id, 3, 'two');
    const texts = (ms: Message[]) => ms.filter((m) => m.kind === 'text').map((m) => m.id);
    expect(texts((await ok(c.socket, 'chat:history', { chatId: g1.id })).messages)).toEqual(m1.map((m) => m.id));
    expect((await ok(c.socket, 'chat:history', { chatId: g2.id })).messages.map((m) => m.id)).toEqual(m2.map((m) => m.id));
    expect(m1.every((m) => m.chatId === g1.id) && m2.every((m) => m.chatId === g2.id)).toBe(true);
    // leaving one leaves the other alone
    await ok(c.socket, 'chat:leave', { chatId: g1.id });
    expect(await chatIds(c.socket)).toContain(g2.id);
    closeAll(...members);
  });
});

