// Several relays as one, for MAX_SOCKETS_PER_USER: the cap counts a user's sockets on
// every relay, so connections opened at once through three relays admit the cap in
// total, not the cap on each; slots freed on any relay (a socket closed, a handshake
// that never completed, a relay killed) can be taken again through any relay.
import { afterEach, describe, expect, it } from 'vitest';
import { Manager } from 'socket.io-client';
import { register, sleep, type TestSocket } from '../helpers/clients';
import { tryConnect } from '../helpers/fault-sockets';
import { useRelayCluster } from '../helpers/relay-cluster';
import { until } from '../helpers/scenarios';

const CAP = 4;
const cluster = useRelayCluster(3, { MAX_SOCKETS_PER_USER: String(CAP) });
const urls = (): string[] => cluster.relays.slice(0, 3).map((r) => r.url);
const open: TestSocket[] = [];

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

/** `perRelay` connections of one token through each of the relays, all at once. */
async function burst(token: string, perRelay: number, relays = urls()): Promise<{ ok: TestSocket[]; errors: string[] }> {
  const attempts = relays.flatMap((url) => Array.from({ length: perRelay }, () => tryConnect(url, { token })));
  const ok: TestSocket[] = [];
  const errors: string[] = [];
  for (const r of await Promise.all(attempts)) {
    if ('socket' in r) {
      ok.push(r.socket);
      open.push(r.socket);
    } else errors.push(r.error);
  }
  return { ok, errors };
}

/** A disconnect reaches the counts in Redis a moment after the client closes. */
const SETTLE_MS = 500;

describe('several relays as one: sockets per user', () => {
  it(`${3 * (CAP + 1)} connections at once through 3 relays: exactly ${CAP} in total, and freed slots are taken again`, async () => {
    const u = await register(urls()[0]!);
    // counted per relay, each relay would admit CAP of these (3 * CAP in all)
    const first = await burst(u.token, CAP + 1);
    expect(first.ok.length).toBe(CAP);
    expect(first.errors.length).toBe(3 * (CAP + 1) - CAP);
    expect(first.errors.every((e) => e === 'rate_limited'), first.errors.join(',')).toBe(true);

    // another user has slots of their own
    const other = await register(urls()[1]!);
    expect((await burst(other.token, 1)).ok.length).toBe(3);

    // two closed (wherever they were): exactly two more get in, through any relays
    first.ok[0]!.close();
    first.ok[1]!.close();
    await sleep(SETTLE_MS);
    const again = await burst(u.token, 3);
    expect(again.ok.length).toBe(2);
    expect(again.errors.every((e) => e === 'rate_limited'), again.errors.join(',')).toBe(true);
    for (const url of urls()) expect(await tryConnect(url, { token: u.token })).toEqual({ error: 'rate_limited' });
  });

  it('handshakes whose client leaves before they complete give their slots back', async () => {
    const u = await register(urls()[0]!);
    // Raw connections send CONNECT several times and close at once, a little later each
    // round, so clients leave while the token is checked, while the slot is claimed, and
    // just after: none of those handshakes may keep a slot.
    for (const delayMs of [0, 2, 5, 10, 20, 50]) {
      await Promise.all(
        urls().map(async (url) => {
          const manager = new Manager(url, { transports: ['websocket'], autoConnect: false, reconnection: false, forceNew: true });
          await new Promise<void>((res, rej) => manager.open((err) => (err ? rej(err) : res())));
          const engine = manager.engine as unknown as { write(msg: string): void; close(): void };
          for (let i = 0; i < CAP; i++) engine.write(`0${JSON.stringify({ token: u.token })}`);
          await sleep(delayMs);
          engine.close();
        }),
      );
    }
    await sleep(SETTLE_MS);

    const after = await burst(u.token, CAP);
    expect(after.ok.length).toBe(CAP);
    expect(after.errors.every((e) => e === 'rate_limited'), after.errors.join(',')).toBe(true);
  });

  it("a killed relay's sockets stop taking slots once it is found dead (about 12 s)", async () => {
    const doomed = await cluster.add();
    const u = await register(urls()[0]!);
    const onDoomed = await burst(u.token, 2, [doomed.url]);
    expect(onDoomed.ok.length).toBe(2);
    expect((await burst(u.token, 2, [urls()[0]!])).ok.length).toBe(2);
    expect(await tryConnect(urls()[1]!, { token: u.token })).toEqual({ error: 'rate_limited' });

    await doomed.kill();
    const killedAt = Date.now();
    let admitted: TestSocket[] = [];
    while (admitted.length === 0 && Date.now() - killedAt < 20_000) {
      await sleep(500);
      admitted = (await burst(u.token, 1, [urls()[1]!])).ok;
    }
    expect(admitted.length).toBe(1);
    // the two freed slots, and no more
    const rest = await burst(u.token, 2);
    expect(rest.ok.length).toBe(1);
  }, 40_000);
});
