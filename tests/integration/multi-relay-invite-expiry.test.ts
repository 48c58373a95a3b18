// Several relays as one, for rule 6: every relay runs the expiry sweep on the one store,
// yet each invite expires once, and its invite:closed reaches every socket of both ends
// exactly once, whichever relay those sockets are on and whichever relay's sweep won.
import { describe, expect, it } from 'vitest';
import type { ServerPayloads } from '../../protocol/types';
import { befriend, call, ok, signUp, sleep, waitFor, type TestSocket, type TestUser } from '../helpers/clients';
import { useRelayCluster } from '../helpers/relay-cluster';
import { anotherSocket, expectError, NOTHING_MORE_MS, until } from '../helpers/scenarios';

// 3 s: long enough that a loaded machine's delays cannot pass for the expiry
const TTL_MS = 3000;
const cluster = useRelayCluster(3, { INVITE_TTL_SECONDS: String(TTL_MS / 1000) });
const url = (i: number): string => cluster.relays[i]!.url;

interface Seen {
  payload: ServerPayloads['invite:closed'];
  at: number;
}

/** One socket of `u` on every relay, the first its own (on `u`'s relay). */
async function onEveryRelay(u: TestUser, home: number): Promise<TestSocket[]> {
  const sockets: TestSocket[] = [];
  for (let i = 0; i < 3; i++) sockets.push(i === home ? u.socket : await anotherSocket(url(i), u));
  return sockets;
}

function recordClosed(socket: TestSocket): Seen[] {
  const seen: Seen[] = [];
  socket.on('invite:closed', (payload) => seen.push({ payload, at: Date.now() }));
  return seen;
}

describe('several relays as one: invite expiry', () => {
  it('each invite expires once; every socket of both ends, on every relay, hears invite:closed expired exactly once', async () => {
    const a = await signUp(url(0), 'a');
    const b = await signUp(url(1), 'b');
    const c = await signUp(url(2), 'c');
    await befriend(a, b);
    await befriend(c, b);
    const sockets = { a: await onEveryRelay(a, 0), b: await onEveryRelay(b, 1), c: await onEveryRelay(c, 2) };
    const seen = { a: sockets.a.map(recordClosed), b: sockets.b.map(recordClosed), c: sockets.c.map(recordClosed) };

    // two invites to b, made through different relays, expiring at about the same time
    const received = waitFor(b.socket, 'invite:received', (p) => p.invite.from.id === a.user.id);
    const fromA = (await ok(sockets.a[0]!, 'invite:create', { to: b.user.username })).invite;
    await received;
    const receivedC = waitFor(b.socket, 'invite:received', (p) => p.invite.from.id === c.user.id);
    const fromC = (await ok(sockets.c[2]!, 'invite:create', { to: b.user.username })).invite;
    await receivedC;

    const expected = {
      a: [fromA.id],
      b: [fromA.id, fromC.id],
      c: [fromC.id],
    };
    const all = (Object.keys(expected) as (keyof typeof expected)[]).flatMap((k) => seen[k].map((s) => ({ s, want: expected[k].length })));
    await until(() => all.every(({ s, want }) => s.length >= want), TTL_MS + 10_000, 'invite:closed on every socket');
    // anything more (a second sweep announcing it again) would arrive within this
    await sleep(NOTHING_MORE_MS);

    const expiresAt = new Map([fromA, fromC].map((i) => [i.id, Date.parse(i.expiresAt)]));
    for (const k of Object.keys(expected) as (keyof typeof expected)[]) {
      seen[k].forEach((events, relay) => {
        const where = `${k}'s socket on relay ${relay}`;
        expect(
          events.map((e) => e.payload).sort((x, y) => x.inviteId.localeCompare(y.inviteId)),
          where,
        ).toEqual(expected[k].map((inviteId) => ({ inviteId, status: 'expired' })).sort((x, y) => x.inviteId.localeCompare(y.inviteId)));
        // not before its time, by the relays' clock (this host's)
        for (const e of events) expect(e.at, where).toBeGreaterThanOrEqual(expiresAt.get(e.payload.inviteId)!);
      });
    }

    // closed for good, whichever relay is asked
    expectError(await call(sockets.b[2]!, 'invite:accept', { inviteId: fromA.id }), 'invite_closed');
    expectError(await call(sockets.b[0]!, 'invite:reject', { inviteId: fromC.id }), 'invite_closed');
    for (const s of [sockets.a[1]!, sockets.b[2]!, sockets.c[0]!]) expect(await ok(s, 'invite:list', {})).toMatchObject({ incoming: [], outgoing: [] });
    for (const s of [...sockets.a, ...sockets.b, ...sockets.c]) s.close();
  }, 30_000);
});
