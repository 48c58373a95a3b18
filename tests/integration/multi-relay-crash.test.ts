// One of three relays sharing a DATA_DIR through Redis dies by SIGKILL in the middle of
// a flood of sends: no message it (or any relay) acknowledged is lost, the chat's seqs
// stay gap-free, its users show offline to the others within 30 s, and the survivors
// serve on; its users' clients reconnect to another relay, resend what was not
// acknowledged (their clientMsgIds find what did get stored) and catch up.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../protocol/types';
import { useRelayCluster } from '../helpers/relay-cluster';
import { befriend, call, connect, inviteAndAccept, ok, signUp, sleep, waitFor, type TestSocket } from '../helpers/clients';
import { fullHistory } from '../helpers/fault-sockets';

const cluster = useRelayCluster(2, { SEND_BURST: '2000', SEND_RATE_PER_SECOND: '1000' });

const PER_SENDER = 500;

describe('several relays as one: a relay killed', () => {
  it('SIGKILL of one relay mid-flood: no acked message lost, no gap, its users offline within 30 s, the others serve on', async () => {
    const doomed = await cluster.add();
    const r0 = cluster.relays[0]!;
    const r1 = cluster.relays[1]!;
    const a = await signUp(r0.url, 'a');
    const b = await signUp(r1.url, 'b');
    const k = await signUp(doomed.url, 'k');
    await befriend(a, b);
    await befriend(a, k);
    const direct = await inviteAndAccept(a, b);
    const group = await inviteAndAccept(a, k, direct.id);
    const chatId = group.id;

    const acked: Message[] = [];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < PER_SENDER; i++)
      for (const m of [a, b, k])
        sends.push(
          call(m.socket, 'chat:send', { chatId, clientMsgId: `m-${i}`, body: `${m.user.username} #${i}` }, 10_000).then(
            (r) => void (r.ok && acked.push(r.message)),
            () => undefined,
          ),
        );
    // kill while the flood is in full flow: as soon as the first of k's sends is acked
    for (let i = 0; i < 5000 && !acked.some((m) => m.sender.id === k.user.id); i++) await sleep(1);
    const killedAt = Date.now();
    await doomed.kill();
    const offline = waitFor(a.socket, 'presence', (p) => p.user.id === k.user.id && !p.online, 30_000);
    await Promise.all(sends);
    const fromK = acked.filter((m) => m.sender.id === k.user.id).length;
    expect(fromK).toBeGreaterThan(0);

    // every acked message is stored, under the seq it was acked with; no gaps
    const history = await fullHistory(a.socket, chatId);
    const byId = new Map(history.map((m) => [m.id, m]));
    for (const m of acked) expect(byId.get(m.id)).toEqual(m);
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: history.length }, (_, i) => i + 1));

    // k was online only on the dead relay: the others see k go offline in time
    const off = await offline;
    expect(off.online).toBe(false);
    const took = Date.now() - killedAt;
    expect(took).toBeLessThan(30_000);
    const invited = await call(a.socket, 'invite:create', { to: k.user.username });
    expect(invited.ok ? 'ok' : invited.error.code).toBe('not_online');

    // k's client comes back on a surviving relay and resends all it sent: what was stored
    // is answered with the original, the rest is stored once
    const kAgain = await connect(r1.url, k.token);
    const resent: Message[] = [];
    for (let i = 0; i < PER_SENDER; i++) resent.push((await ok(kAgain, 'chat:send', { chatId, clientMsgId: `m-${i}`, body: `${k.user.username} #${i}` })).message);
    for (const m of acked.filter((x) => x.sender.id === k.user.id)) expect(resent[Number(m.clientMsgId.slice(2))]).toEqual(m);
    const after = await fullHistory(b.socket, chatId);
    expect(after.filter((m) => m.sender.id === k.user.id).map((m) => m.clientMsgId)).toEqual(Array.from({ length: PER_SENDER }, (_, i) => `m-${i}`));
    expect(after.map((m) => m.seq)).toEqual(Array.from({ length: after.length }, (_, i) => i + 1));
    kAgain.close();

    // the survivors go on: the next message takes the next seq
    const next = await ok(b.socket, 'chat:send', { chatId, clientMsgId: 'after-kill', body: 'still here' });
    expect(next.message.seq).toBe(after.length + 1);
    for (const s of [a.socket, b.socket, k.socket]) s.close();
  }, 90_000);
});
