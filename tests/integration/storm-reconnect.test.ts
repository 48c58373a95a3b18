// A reconnect storm: 15 users x 20 sockets (MAX_SOCKETS_PER_USER, the default) in three
// group chats. The relay is SIGKILLed while messages are being sent and restarted on
// the same port and DATA_DIR; all 300 sockets reconnect at once, catch up with
// chat:list + chat:history { after }, and each ends with the complete history.
import { afterAll, describe, expect, it } from 'vitest';
import type { Chat, Message } from '../../protocol/types';
import { befriend, call, inviteAndAccept, ok, register, sleep, waitFor } from '../helpers/clients';
import { fullHistory, healthz } from '../helpers/fault-sockets';
import { StormClient } from '../helpers/fault-storm';
import { startRelay, type RelayProcess } from '../helpers/relay-process';

const USERS = 15;
const SOCKETS_PER_USER = 20;
const GROUP_SIZE = 5;
const FLOOD_PER_USER = 20;

const relays: RelayProcess[] = [];
const clients: StormClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  for (const r of relays) await r.kill();
  relays[0]?.cleanup();
});

async function until(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await sleep(25);
  }
}

describe('reconnect storm', () => {
  it(`${USERS * SOCKETS_PER_USER} sockets survive a relay crash and all catch up completely`, { timeout: 90_000 }, async () => {
    const first = await startRelay();
    relays.push(first);
    const accounts = await Promise.all(Array.from({ length: USERS }, (_, i) => register(first.url, `storm${process.pid % 1000}_${Date.now() % 100000}_${i}`)));

    const byUser = accounts.map((a) => Array.from({ length: SOCKETS_PER_USER }, () => new StormClient(first.url, a.user, a.token)));
    clients.push(...byUser.flat());
    await until(() => clients.every((c) => c.socket.connected), 20_000, () => `${clients.filter((c) => !c.socket.connected).length} sockets not connected`);

    // three groups of five, formed through the real invite flow on each user's first socket
    const leads = byUser.map((socks) => socks[0]!.asUser());
    const groups: Chat[] = [];
    for (let g = 0; g < USERS / GROUP_SIZE; g++) {
      const [a, b, c, ...rest] = leads.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
      for (const m of [b!, c!, ...rest]) await befriend(a!, m);
      const direct = await inviteAndAccept(a!, b!);
      const joined = waitFor(c!.socket, 'chat:joined');
      const group = await inviteAndAccept(a!, c!, direct.id);
      await joined;
      for (const m of rest) await inviteAndAccept(a!, m, group.id);
      groups.push(group);
      for (let i = 0; i < 5; i++) await ok(a!.socket, 'chat:send', { chatId: group.id, clientMsgId: `pre-${i}`, body: `before the storm ${i}` });
    }
    await Promise.all(clients.map((c) => c.catchUp()));

    // flood every group from every member, and kill the relay mid-stream
    const acked: Message[] = [];
    const floods: Promise<unknown>[] = [];
    leads.forEach((lead, i) => {
      const chatId = groups[Math.floor(i / GROUP_SIZE)]!.id;
      for (let n = 0; n < FLOOD_PER_USER; n++) {
        floods.push(
          call(lead.socket, 'chat:send', { chatId, clientMsgId: `flood-${n}`, body: `flood ${n} from ${lead.user.username}` }, 3000).then(
            (res) => void (res.ok && acked.push(res.message)),
            () => undefined,
          ),
        );
      }
    });
    await until(() => acked.length >= 60, 10_000, () => `only ${acked.length} acks before the kill`);
    await first.kill();
    const ackedBeforeKill = [...acked];

    const second = await startRelay({ dataDir: first.dataDir, port: first.port });
    relays.push(second);
    // while everyone reconnects, each group's first member keeps talking
    const after = leads
      .filter((_, i) => i % GROUP_SIZE === 0)
      .map(async (lead, g) => {
        await until(() => lead.socket.connected, 20_000, () => `${lead.user.username} did not reconnect`);
        for (let n = 0; n < 10; n++) await ok(lead.socket, 'chat:send', { chatId: groups[g]!.id, clientMsgId: `post-${n}`, body: `after the restart ${n}` });
      });

    await until(() => clients.every((c) => c.connects >= 2), 30_000, () => `${clients.filter((c) => c.connects < 2).length} sockets not reconnected`);
    await until(
      () => clients.every((c) => c.caughtUpAt !== null && c.connects >= 2),
      30_000,
      () => `${clients.filter((c) => c.caughtUpAt === null).length} sockets not caught up; errors: ${clients.flatMap((c) => c.errors).slice(0, 5).join(' | ')}`,
    );
    await Promise.all(after);
    await Promise.all(floods);
    await sleep(500);

    const reader = byUser[0]![0]!.socket;
    const truth = new Map<string, Message[]>();
    for (const g of groups) {
      // the reader belongs to the first group only; read each group through one of its members
      const member = byUser[groups.indexOf(g) * GROUP_SIZE]![0]!.socket;
      truth.set(g.id, await fullHistory(member, g.id));
    }
    expect(reader.connected).toBe(true);

    // every message acknowledged before the crash survived it
    for (const m of ackedBeforeKill) expect(truth.get(m.chatId)!.find((x) => x.id === m.id), `acked ${m.clientMsgId}`).toEqual(m);
    for (const [chatId, msgs] of truth) {
      const seqs = msgs.map((m) => m.seq);
      expect(new Set(seqs).size, `seqs unique in ${chatId}`).toBe(seqs.length);
      expect(msgs.filter((m) => m.clientMsgId.startsWith('post-')).length).toBe(10);
    }
    // and every socket has exactly the full history of its group
    let incomplete = 0;
    clients.forEach((c, i) => {
      const chatId = groups[Math.floor(Math.floor(i / SOCKETS_PER_USER) / GROUP_SIZE)]!.id;
      const mine = [...(c.seen.get(chatId)?.values() ?? [])].sort((x, y) => x.seq - y.seq);
      if (mine.length !== truth.get(chatId)!.length) incomplete++;
      expect(mine, `socket ${i} of ${c.user.username}`).toEqual(truth.get(chatId));
    });
    expect(incomplete).toBe(0);
    expect(clients.flatMap((c) => c.errors).filter((e) => e.startsWith('two messages'))).toEqual([]);

    // presence was rebuilt from the reconnected sockets: everyone is online again
    for (const g of groups) {
      const member = byUser[groups.indexOf(g) * GROUP_SIZE]![0]!.socket;
      const chat = (await ok(member, 'chat:list', {})).chats.find((c) => c.id === g.id)!;
      expect(chat.members.filter((m) => !m.online).map((m) => m.username)).toEqual([]);
    }
    expect((await healthz(second.url)).status).toBe(200);
    expect(second.child.exitCode).toBeNull();
  });
});
