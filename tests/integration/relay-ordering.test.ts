// Rule 8 under contention: several members flood one group at once; seqs are unique,
// every member sees the same order live as in history, and each sender's messages
// keep the order they were sent in.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../protocol/types';
import { useRelay } from '../helpers/use-relay';
import { call, connect, type TestUser } from '../helpers/clients';
import { closeAll, group, until, watch } from '../helpers/scenarios';

const relay = useRelay();

const PER_SENDER = 50;

describe('ordering (rule 8)', () => {
  it('4 members × 50 messages at once: unique seqs, live order = history order for everyone, per-sender send order kept', async () => {
    const { members, chat } = await group(relay.url, 4);
    const total = members.length * PER_SENDER;
    const live = members.map((m) => watch(m.socket, 'chat:message'));

    const acks: Promise<Message | null>[] = [];
    for (let i = 0; i < PER_SENDER; i++) {
      for (const m of members) {
        acks.push(
          call(m.socket, 'chat:send', { chatId: chat.id, clientMsgId: `c-${i}`, body: `${m.user.username} #${i}` }, 20_000).then((r) => (r.ok ? r.message : null)),
        );
      }
    }
    const sent = await Promise.all(acks);
    expect(sent.filter((m) => m === null)).toEqual([]);
    const messages = sent as Message[];
    expect(new Set(messages.map((m) => m.seq)).size).toBe(total);
    expect(new Set(messages.map((m) => m.id)).size).toBe(total);

    await until(() => live.every((l) => l.seen.length >= total), 15_000, 'every member to receive every message');
    const h = await call(members[0]!.socket, 'chat:history', { chatId: chat.id, after: chat.lastSeq, limit: 200 });
    expect(h.ok).toBe(true);
    if (!h.ok) return;
    const historyIds = h.messages.map((m) => m.id);
    expect(historyIds).toHaveLength(total);
    expect(h.hasMore).toBe(false);
    const historySeqs = h.messages.map((m) => m.seq);
    for (let i = 1; i < historySeqs.length; i++) expect(historySeqs[i]!).toBeGreaterThan(historySeqs[i - 1]!);

    for (const l of live) {
      await l.settle();
      // exactly once each, in seq order, equal to history
      expect(l.seen.map((p) => p.message.id)).toEqual(historyIds);
    }
    // each sender's messages have seqs in the order that sender emitted them
    for (const m of members as TestUser[]) {
      const mine = h.messages.filter((x) => x.sender.id === m.user.id).map((x) => x.body);
      expect(mine).toEqual(Array.from({ length: PER_SENDER }, (_, i) => `${m.user.username} #${i}`));
    }
    closeAll(...members);
  });

  it('one user on two sockets: each socket’s messages keep their own order', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a] = members as [TestUser];
    const a2 = await connect(relay.url, a.token);
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      acks.push(call(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `s1-${i}`, body: `s1 ${i}` }));
      acks.push(call(a2, 'chat:send', { chatId: chat.id, clientMsgId: `s2-${i}`, body: `s2 ${i}` }));
    }
    await Promise.all(acks);
    const h = await call(members[1]!.socket, 'chat:history', { chatId: chat.id, limit: 200 });
    if (!h.ok) throw new Error(h.error.code);
    expect(h.messages).toHaveLength(60);
    expect(h.messages.filter((m) => m.body.startsWith('s1')).map((m) => m.body)).toEqual(Array.from({ length: 30 }, (_, i) => `s1 ${i}`));
    expect(h.messages.filter((m) => m.body.startsWith('s2')).map((m) => m.body)).toEqual(Array.from({ length: 30 }, (_, i) => `s2 ${i}`));
    closeAll(...members, a2);
  });

  it('the same clientMsgId sent at once from two sockets of one user: one message, every ack names it, delivered once', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b] = members as [TestUser, TestUser];
    const a2 = await connect(relay.url, a.token);
    const live = watch(b.socket, 'chat:message');
    const acks = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(i % 2 ? a2 : a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'same-everywhere', body: 'only once' })),
    );
    const ackIds = new Set(acks.map((r) => (r.ok ? r.message.id : `error ${r.error.code}`)));
    expect(ackIds.size).toBe(1);
    const h = await call(b.socket, 'chat:history', { chatId: chat.id });
    if (!h.ok) throw new Error(h.error.code);
    expect(h.messages.map((m) => m.id)).toEqual([...ackIds]);
    expect((await live.settle()).map((p) => p.message.id)).toEqual([...ackIds]);
    closeAll(...members, a2);
  });
});
