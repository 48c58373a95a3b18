// Rule 8 across relays sharing one DATA_DIR: senders on three relays flood one group at
// once. Every seq is taken once, with no gaps; each sender's messages keep their send
// order; every member ends up with the same messages under the same seqs, live and in
// history on every relay; and no reader, on any relay, ever sees a seq while an earlier
// one of the chat is missing.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../protocol/types';
import { useRelayCluster } from '../helpers/relay-cluster';
import { befriend, call, connect, inviteAndAccept, ok, signUp, type TestSocket } from '../helpers/clients';
import { until, watch } from '../helpers/scenarios';
import { fullHistory } from '../helpers/fault-sockets';

// the limits are raised: the point is many sends in flight at once, and readers polling
// history as fast as they can (a user's budgets are one across relays)
const cluster = useRelayCluster(3, { SEND_BURST: '2000', SEND_RATE_PER_SECOND: '1000', HISTORY_RATE_PER_SECOND: '100000' });
const url = (i: number): string => cluster.relays[i]!.url;

const PER_SENDER = 150;

describe('several relays as one: ordering', () => {
  it('concurrent senders on three relays: one gap-free order, seen the same everywhere, never with a hole', async () => {
    const a = await signUp(url(0), 'a');
    const b = await signUp(url(1), 'b');
    const c = await signUp(url(2), 'c');
    const members = [a, b, c];
    await befriend(a, b);
    await befriend(a, c);
    const direct = await inviteAndAccept(a, b);
    const group = await inviteAndAccept(a, c, direct.id);
    const chatId = group.id;
    const live = members.map((m) => watch(m.socket, 'chat:message'));

    // readers on every relay poll the latest page while the flood runs: a page with a
    // hole would be a seq visible before an earlier one
    const readers = await Promise.all([0, 1, 2].map((i) => connect(url(i), b.token)));
    let flooding = true;
    const holes: string[] = [];
    let pages = 0;
    const polls = readers.map(async (r, i) => {
      while (flooding) {
        const page = await ok(r, 'chat:history', { chatId, limit: 100 });
        pages++;
        const seqs = page.messages.map((m) => m.seq);
        seqs.forEach((s, k) => {
          if (k > 0 && s !== seqs[k - 1]! + 1) holes.push(`relay ${i}: ${seqs[k - 1]} then ${s}`);
        });
      }
    });

    const acks: Promise<Message | null>[] = [];
    for (let i = 0; i < PER_SENDER; i++)
      for (const m of members)
        acks.push(call(m.socket, 'chat:send', { chatId, clientMsgId: `m-${i}`, body: `${m.user.username} #${i}` }, 30_000).then((r) => (r.ok ? r.message : null)));
    const sent = await Promise.all(acks);
    flooding = false;
    await Promise.all(polls);
    expect(sent.filter((m) => m === null)).toEqual([]);
    const messages = sent as Message[];
    const total = members.length * PER_SENDER;

    // one gap-free order: exactly the seqs 1..total (the group was created with its
    // members, so it has no membership entries)
    expect(messages.map((m) => m.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // each sender's messages in the order they were sent
    for (const m of members) {
      const own = messages.filter((x) => x.sender.id === m.user.id);
      expect(own.map((x) => x.clientMsgId)).toEqual(Array.from({ length: PER_SENDER }, (_, i) => `m-${i}`));
      expect(own.map((x) => x.seq)).toEqual([...own.map((x) => x.seq)].sort((x, y) => x - y));
    }
    expect(pages).toBeGreaterThan(0);
    expect(holes).toEqual([]);

    // history through every relay: the acked messages, in seq order
    const bySeq = [...messages].sort((x, y) => x.seq - y.seq);
    for (const r of readers) expect(await fullHistory(r, chatId)).toEqual(bySeq);

    // live: every member got every message once, the same message under each seq. The
    // arrival order is not asserted: messages stored by different relays are announced by
    // each after its own flush, so one can arrive before a lower seq from another relay
    // (a client orders by seq and resumes from the highest seq it holds without a gap).
    await until(() => live.every((l) => l.seen.length >= total), 20_000, 'every member to receive every message live');
    for (const l of live) expect(l.seen.map((p) => p.message).sort((x, y) => x.seq - y.seq)).toEqual(bySeq);
    for (const s of [...readers, ...members.map((m) => m.socket)]) s.close();
  }, 90_000);
});
