// Messages: chat:send limits and de-duplication, history paging, typing, read
// positions, and catching up after a reconnect (rules 8, 9).
import { describe, expect, it } from 'vitest';
import { useRelay } from '../helpers/use-relay';
import { call, connect, ok, waitFor, type TestUser } from '../helpers/clients';
import { anotherSocket, closeAll, directPair, expectError, group, ISO_RE, sendMany, watch } from '../helpers/scenarios';

const relay = useRelay();

describe('chat:send', () => {
  it('returns the stored message with its shape; every member’s sockets get chat:message, the sender’s included', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const a2 = await anotherSocket(relay.url, a);
    const got = [a.socket, a2, b.socket].map((s) => waitFor(s, 'chat:message'));
    const { message } = await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'shape-1', body: '  hi there  ' });
    expect(message).toEqual({
      id: expect.any(String),
      chatId: chat.id,
      seq: expect.any(Number),
      kind: 'text',
      sender: a.user,
      body: 'hi there',
      clientMsgId: 'shape-1',
      createdAt: expect.stringMatching(ISO_RE),
    });
    for (const g of await Promise.all(got)) expect(g).toEqual({ message });
    const { chats } = await ok(b.socket, 'chat:list', {});
    expect(chats[0]!.lastSeq).toBe(message.seq);
    closeAll(a, b, a2);
  });

  it('seq is strictly increasing and history returns ascending seq', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const sent = [...(await sendMany(a, chat.id, 3, 'a')), ...(await sendMany(b, chat.id, 3, 'b'))];
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.seq).toBeGreaterThan(sent[i - 1]!.seq);
    const h = await ok(a.socket, 'chat:history', { chatId: chat.id });
    expect(h.messages).toEqual(sent);
    closeAll(a, b);
  });

  it('resending the same clientMsgId returns the original and delivers nothing new', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const seenB = watch(b.socket, 'chat:message');
    const seenA = watch(a.socket, 'chat:message');
    const first = (await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'dup', body: 'once' })).message;
    const again = (await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'dup', body: 'once' })).message;
    const changed = (await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'dup', body: 'a different body' })).message;
    expect(again).toEqual(first);
    expect(changed).toEqual(first);
    // a later message proves the relay has emitted everything before it
    const next = (await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'after-dup', body: 'next' })).message;
    await waitFor(b.socket, 'chat:message', (p) => p.message.id === next.id).catch(() => undefined);
    await seenB.settle();
    expect(seenB.seen.map((p) => p.message.id)).toEqual([first.id, next.id]);
    expect(seenA.seen.map((p) => p.message.id)).toEqual([first.id, next.id]);
    expect((await ok(b.socket, 'chat:history', { chatId: chat.id })).messages.map((m) => m.id)).toEqual([first.id, next.id]);
    expect(next.seq).toBeGreaterThan(first.seq);
    closeAll(a, b);
  });

  it('the same clientMsgId from another sender, or in another chat, is a new message', async () => {
    const { members, chat, direct } = await group(relay.url, 3);
    const [a, b] = members as [TestUser, TestUser];
    const fromA = (await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'same', body: 'from a' })).message;
    const fromB = (await ok(b.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'same', body: 'from b' })).message;
    const inDirect = (await ok(a.socket, 'chat:send', { chatId: direct.id, clientMsgId: 'same', body: 'from a, direct' })).message;
    expect(fromB.id).not.toBe(fromA.id);
    expect(fromB.body).toBe('from b');
    expect(inDirect.id).not.toBe(fromA.id);
    expect(inDirect.chatId).toBe(direct.id);
    expect((await ok(a.socket, 'chat:history', { chatId: chat.id })).messages.map((m) => m.id)).toEqual([fromA.id, fromB.id]);
    closeAll(...members);
  });

  it('body: 1–4000 characters after trimming; clientMsgId: 1–64 of A-Z a-z 0-9 _ -', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const send = (clientMsgId: string, body: string) => call(a.socket, 'chat:send', { chatId: chat.id, clientMsgId, body });
    expectError(await send('e1', ''), 'bad_request');
    expectError(await send('e2', '   \n\t  '), 'bad_request');
    expectError(await send('e3', 'x'.repeat(4001)), 'bad_request');
    expectError(await send('', 'hello'), 'bad_request');
    expectError(await send('has space', 'hello'), 'bad_request');
    expectError(await send('slash/id', 'hello'), 'bad_request');
    expectError(await send('dot.id', 'hello'), 'bad_request');
    expectError(await send('ümlaut', 'hello'), 'bad_request');
    expectError(await send('c'.repeat(65), 'hello'), 'bad_request');
    // nothing above was stored
    expect((await ok(a.socket, 'chat:history', { chatId: chat.id })).messages).toEqual([]);

    const max = await send('ok-4000', 'y'.repeat(4000));
    expect(max.ok && max.message.body.length).toBe(4000);
    const padded = await send('ok-padded', `   ${'z'.repeat(4000)}   `);
    expect(padded.ok && padded.message.body).toBe('z'.repeat(4000));
    expect(`${'A'.repeat(30)}_${'9'.repeat(29)}-abc`).toHaveLength(64);
    const id64 = await send(`${'A'.repeat(30)}_${'9'.repeat(29)}-abc`, 'id of 64');
    expect(id64.ok).toBe(true);
    const one = await send('x', 'k');
    expect(one.ok && one.message.body).toBe('k');
    expect((await ok(a.socket, 'chat:history', { chatId: chat.id })).messages).toHaveLength(4);
    closeAll(a, b);
  });

  it('50 messages emitted on one socket without waiting get seqs in send order', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const acks = Array.from({ length: 50 }, (_, i) => call(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `burst-${i}`, body: `n ${i}` }));
    const results = await Promise.all(acks);
    const seqs = results.map((r) => (r.ok ? r.message.seq : -1));
    expect(seqs.every((s) => s > 0)).toBe(true);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
    const h = await ok(b.socket, 'chat:history', { chatId: chat.id, limit: 200 });
    expect(h.messages.map((m) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => `n ${i}`));
    closeAll(a, b);
  });
});

describe('chat:history paging', () => {
  it('before, after, limit and hasMore', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const all = await sendMany(a, chat.id, 10);
    const s = all.map((m) => m.seq);
    const page = async (p: { before?: number; after?: number; limit?: number }) => {
      const r = await ok(b.socket, 'chat:history', { chatId: chat.id, ...p });
      return { seqs: r.messages.map((m) => m.seq), hasMore: r.hasMore };
    };
    expect(await page({})).toEqual({ seqs: s, hasMore: false });
    expect(await page({ limit: 3 })).toEqual({ seqs: s.slice(7), hasMore: true });
    expect(await page({ limit: 10 })).toEqual({ seqs: s, hasMore: false });
    expect(await page({ before: s[3], limit: 2 })).toEqual({ seqs: [s[1], s[2]], hasMore: true });
    expect(await page({ before: s[2], limit: 5 })).toEqual({ seqs: [s[0], s[1]], hasMore: false });
    expect(await page({ before: s[2], limit: 2 })).toEqual({ seqs: [s[0], s[1]], hasMore: false });
    expect(await page({ before: s[0] })).toEqual({ seqs: [], hasMore: false });
    expect(await page({ after: s[6], limit: 2 })).toEqual({ seqs: [s[7], s[8]], hasMore: true });
    expect(await page({ after: s[7], limit: 5 })).toEqual({ seqs: [s[8], s[9]], hasMore: false });
    expect(await page({ after: s[7], limit: 2 })).toEqual({ seqs: [s[8], s[9]], hasMore: false });
    expect(await page({ after: s[9] })).toEqual({ seqs: [], hasMore: false });
    expect(await page({ after: 0, limit: 4 })).toEqual({ seqs: s.slice(0, 4), hasMore: true });
    expect(await page({ limit: 1 })).toEqual({ seqs: [s[9]], hasMore: true });
    expect(await page({ limit: 200 })).toEqual({ seqs: s, hasMore: false });
    closeAll(a, b);
  });

  it('default limit is 50 (the latest 50)', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const acks = await Promise.all(Array.from({ length: 55 }, (_, i) => ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `d${i}`, body: `d ${i}` })));
    const seqs = acks.map((r) => r.message.seq).sort((x, y) => x - y);
    const h = await ok(b.socket, 'chat:history', { chatId: chat.id });
    expect(h.messages.map((m) => m.seq)).toEqual(seqs.slice(5));
    expect(h.hasMore).toBe(true);
    closeAll(a, b);
  });

  it('bad_request for both before and after, limit 0 or 201, non-integer or negative numbers', async () => {
    const { a, b, chat } = await directPair(relay.url);
    await sendMany(a, chat.id, 2);
    const bad = [{ before: 2, after: 0 }, { limit: 0 }, { limit: 201 }, { limit: 1.5 }, { before: 1.5 }, { after: -1 }, { limit: -3 }];
    for (const p of bad) expectError(await call(a.socket, 'chat:history', { chatId: chat.id, ...p }), 'bad_request');
    closeAll(a, b);
  });
});

describe('typing and read positions', () => {
  it('chat:typing reaches the other members, not the sender', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b, c] = members as [TestUser, TestUser, TestUser];
    const a2 = await anotherSocket(relay.url, a);
    const self = [watch(a.socket, 'chat:typing'), watch(a2, 'chat:typing')];
    const others = [b, c].map((u) => waitFor(u.socket, 'chat:typing'));
    expect(await call(a.socket, 'chat:typing', { chatId: chat.id })).toEqual({ ok: true });
    for (const t of await Promise.all(others)) expect(t).toEqual({ chatId: chat.id, user: a.user });
    for (const w of self) expect(await w.settle()).toEqual([]);
    closeAll(...members, a2);
  });

  it('chat:read moves forward only, reaches the reader’s other sockets, and shows as readSeq in chat:list', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const sent = await sendMany(b, chat.id, 5);
    const a2 = await anotherSocket(relay.url, a);
    const onA1 = watch(a.socket, 'chat:read');
    const onB = watch(b.socket, 'chat:read');
    const onA2 = waitFor(a2, 'chat:read');
    expect(await call(a.socket, 'chat:read', { chatId: chat.id, seq: sent[2]!.seq })).toEqual({ ok: true });
    expect(await onA2).toEqual({ chatId: chat.id, seq: sent[2]!.seq });
    const readSeqOf = async (s: typeof a.socket) => (await ok(s, 'chat:list', {})).chats.find((c) => c.id === chat.id)!.readSeq;
    expect(await readSeqOf(a.socket)).toBe(sent[2]!.seq);
    expect(await readSeqOf(a2)).toBe(sent[2]!.seq);
    expect(await readSeqOf(b.socket)).toBe(0);
    // never back
    expect(await call(a.socket, 'chat:read', { chatId: chat.id, seq: sent[0]!.seq })).toEqual({ ok: true });
    expect(await readSeqOf(a.socket)).toBe(sent[2]!.seq);
    // forward again
    const onA2Again = waitFor(a2, 'chat:read', (p) => p.seq === sent[4]!.seq);
    await ok(a.socket, 'chat:read', { chatId: chat.id, seq: sent[4]!.seq });
    await onA2Again;
    expect(await readSeqOf(a2)).toBe(sent[4]!.seq);
    // the reading socket and the other user never hear it
    expect(await onA1.settle()).toEqual([]);
    expect(onB.seen).toEqual([]);
    closeAll(a, b, a2);
  });

  it('chat:list reports lastSeq and the caller’s own readSeq', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const sent = await sendMany(b, chat.id, 3);
    await ok(a.socket, 'chat:read', { chatId: chat.id, seq: sent[1]!.seq });
    const list = (await ok(a.socket, 'chat:list', {})).chats;
    expect(list[0]).toMatchObject({ id: chat.id, lastSeq: sent[2]!.seq, readSeq: sent[1]!.seq });
    closeAll(a, b);
  });
});

describe('catching up (rule 9)', () => {
  it('after a reconnect, history {after: lastSeq} returns exactly the missed messages', async () => {
    const { a, b, chat } = await directPair(relay.url);
    const seen = await sendMany(a, chat.id, 3, 'before');
    const lastSeen = seen[2]!.seq;
    const off = waitFor(a.socket, 'presence', (p) => p.user.id === b.user.id && !p.online);
    b.socket.close();
    await off;
    const missed = await sendMany(a, chat.id, 5, 'while-away');
    const b2 = await connect(relay.url, b.token);
    const { chats } = await ok(b2, 'chat:list', {});
    const listed = chats.find((c) => c.id === chat.id)!;
    expect(listed.lastSeq).toBe(missed[4]!.seq);
    const h = await ok(b2, 'chat:history', { chatId: chat.id, after: lastSeen });
    expect(h.messages).toEqual(missed);
    expect(h.hasMore).toBe(false);
    // and from then on, live
    const live = waitFor(b2, 'chat:message');
    const { message } = await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'back', body: 'welcome back' });
    expect((await live).message).toEqual(message);
    closeAll(a, b2);
  });
});
