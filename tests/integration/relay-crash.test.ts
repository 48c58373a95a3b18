// A relay killed with SIGKILL and restarted on the same DATA_DIR keeps every
// message it acknowledged (rule 8: an ack only after the write is durable).
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '../../protocol/types';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { befriend, call, connect, inviteAndAccept, ok, signUp, type TestUser } from '../helpers/clients';

const relays: RelayProcess[] = [];
afterAll(async () => {
  for (const r of relays) await r.kill();
  relays[0]?.cleanup();
});

describe('crash safety', () => {
  it('keeps every acknowledged message across SIGKILL and restart, in the same seq order', async () => {
    // limits raised: the point is many messages in flight at the moment of the kill
    const first = await startRelay({ env: { SEND_BURST: '2000', SEND_RATE_PER_SECOND: '1000' } });
    relays.push(first);
    const a = await signUp(first.url, 'a');
    const b = await signUp(first.url, 'b');
    const c = await signUp(first.url, 'c');
    await befriend(a, b);
    await befriend(a, c);
    const direct = await inviteAndAccept(a, b);
    const group = await inviteAndAccept(a, c, direct.id);
    expect(group.kind).toBe('group');

    // three senders flood the group without waiting for acks; the relay dies mid-stream
    const acked: Message[] = [];
    const senders: TestUser[] = [a, b, c];
    const sends: Promise<void>[] = [];
    for (const s of senders) {
      for (let i = 0; i < 400; i++) {
        sends.push(
          call(s.socket, 'chat:send', { chatId: group.id, clientMsgId: `${s.user.username}-${i}`, body: `msg ${i} from ${s.user.username}` }, 3000).then(
            (res) => void (res.ok && acked.push(res.message)),
            () => undefined,
          ),
        );
      }
    }
    // kill while the stream is in full flow: some messages acked, others still in flight
    for (let i = 0; i < 400 && acked.length < 100; i++) await new Promise((r) => setTimeout(r, 2));
    await first.kill();
    expect(acked.length).toBeGreaterThanOrEqual(100);
    await Promise.all(sends);
    for (const s of senders) s.socket.close();

    const second = await startRelay({ dataDir: first.dataDir });
    relays.push(second);
    const again = await connect(second.url, a.token);
    const all: Message[] = [];
    let after = 0;
    for (;;) {
      const page = await ok(again, 'chat:history', { chatId: group.id, after, limit: 200 });
      all.push(...page.messages);
      if (!page.hasMore) break;
      after = page.messages[page.messages.length - 1]!.seq;
    }
    const byId = new Map(all.map((m) => [m.id, m]));
    for (const m of acked) expect(byId.get(m.id)).toEqual(m);
    const seqs = all.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);

    // sending continues after the restart with a larger seq
    const next = await ok(again, 'chat:send', { chatId: group.id, clientMsgId: 'after-restart', body: 'still here' });
    expect(next.message.seq).toBeGreaterThan(seqs.at(-1) ?? 0);
    again.close();
  });

  it('SIGTERM finishes in-flight writes and exits 0', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const a = await signUp(relay.url, 'a');
    const b = await signUp(relay.url, 'b');
    await befriend(a, b);
    const chat = await inviteAndAccept(a, b);
    // Stopped mid-stream: once the first of 30 sends is acknowledged, the rest are
    // still on their way in or being written.
    let firstAck!: () => void;
    const someAcked = new Promise<void>((r) => (firstAck = r));
    const pending = Array.from({ length: 30 }, (_, i) =>
      call(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `t${i}`, body: `term ${i}` }, 3000).then(
        (r) => {
          if (r.ok) firstAck();
          return r;
        },
        () => null,
      ),
    );
    await someAcked;
    const code = relay.stop();
    const results = await Promise.all(pending);
    expect(await code).toBe(0);
    const acked = results.flatMap((r) => (r?.ok ? [r.message.clientMsgId] : []));
    expect(acked.length).toBeGreaterThan(0);
    const restarted = await startRelay({ dataDir: relay.dataDir });
    relays.push(restarted);
    const s = await connect(restarted.url, a.token);
    const h = await ok(s, 'chat:history', { chatId: chat.id, limit: 200 });
    // Every acknowledged message is there after the restart, each once, in send order.
    const stored = h.messages.map((m) => m.clientMsgId);
    expect(stored.filter((id) => acked.includes(id))).toEqual(acked);
    expect(new Set(stored).size).toBe(stored.length);
    s.close();
    await restarted.stop();
    relay.cleanup();
  });
});
