// docs/protocol.md rate limits: chat:send allows bursts of 100 and 10/s sustained per user;
// beyond that the answer is rate_limited and nothing is stored. Other users are not
// affected by one user's limit.
import { describe, expect, it } from 'vitest';
import type { Ack, ClientResults } from '../../protocol/types';
import { useRelay } from '../helpers/use-relay';
import { call, ok, sleep, type TestUser } from '../helpers/clients';
import { closeAll, group } from '../helpers/scenarios';

const relay = useRelay();

type SendAck = Ack<ClientResults['chat:send']>;

describe('chat:send rate limit', () => {
  it('a burst of 150: 100–110 ok, the rest rate_limited and not stored; 10/s afterwards still goes through; others unaffected', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [a, b] = members as [TestUser, TestUser];
    const results: SendAck[] = await Promise.all(
      Array.from({ length: 150 }, (_, i) => call(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `burst-${i}`, body: `burst ${i}` }, 20_000)),
    );
    const oks = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(oks.length).toBeGreaterThanOrEqual(100);
    expect(oks.length).toBeLessThanOrEqual(110);
    expect(refused.every((r) => !r.ok && r.error.code === 'rate_limited')).toBe(true);
    expect(oks.length + refused.length).toBe(150);

    const h = await ok(b.socket, 'chat:history', { chatId: chat.id, limit: 200 });
    expect(h.messages).toHaveLength(oks.length);
    const stored = new Set(h.messages.map((m) => m.clientMsgId));
    results.forEach((r, i) => expect(stored.has(`burst-${i}`)).toBe(r.ok));

    // another user is not limited by a's burst
    const other = await call(b.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'b-1', body: 'my turn' });
    expect(other.ok).toBe(true);

    // 10 a second keeps working for a after the burst is spent
    for (let round = 0; round < 2; round++) {
      await sleep(1100);
      const steady = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `steady-${round}-${i}`, body: `steady ${i}` })),
      );
      expect(steady.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.code))).toEqual([]);
    }
    closeAll(...members);
  });

  it('a burst of exactly 100 from a fresh user is all accepted (a reconnecting client flushing its queue)', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [, , c] = members as [TestUser, TestUser, TestUser];
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => call(c.socket, 'chat:send', { chatId: chat.id, clientMsgId: `q-${i}`, body: `queued ${i}` }, 20_000)),
    );
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.code))).toEqual([]);
    const h = await ok(c.socket, 'chat:history', { chatId: chat.id, limit: 200 });
    expect(h.messages.map((m) => m.body)).toEqual(Array.from({ length: 100 }, (_, i) => `queued ${i}`));
    closeAll(...members);
  });
});

describe('budgets of their own: history pages and typing signals', () => {
  const limited = useRelay({ env: { HISTORY_RATE_PER_SECOND: '5', TYPING_RATE_PER_SECOND: '3' } });

  it('a burst of history pages or typing signals is limited on its own, and never costs the user other events', async () => {
    const { members, chat } = await group(limited.url, 3);
    const [a, b] = members as [TestUser, TestUser, TestUser];
    const pages = await Promise.all(Array.from({ length: 12 }, () => call(a.socket, 'chat:history', { chatId: chat.id })));
    expect(pages.filter((r) => r.ok)).toHaveLength(5);
    expect(pages.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'rate_limited')).toBe(true);
    const typing = await Promise.all(Array.from({ length: 8 }, () => call(a.socket, 'chat:typing', { chatId: chat.id })));
    expect(typing.filter((r) => r.ok)).toHaveLength(3);
    // The same second: everything else still answers, and sending too.
    await ok(a.socket, 'chat:list', {});
    await ok(a.socket, 'friends:list', {});
    await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'after-burst', body: 'still here' });
    // Budgets are per user: the other member pages as usual.
    await ok(b.socket, 'chat:history', { chatId: chat.id });
    await sleep(1100);
    await ok(a.socket, 'chat:history', { chatId: chat.id });
    closeAll(...members);
  });
});
