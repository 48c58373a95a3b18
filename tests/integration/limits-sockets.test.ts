// MAX_SOCKETS_PER_USER: one user cannot hold more connections than the limit, not even
// by opening them all at once; a freed slot can be used again; other users are unaffected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager } from 'socket.io-client';
import { register, sleep, type TestSocket } from '../helpers/clients';
import { tryConnect } from '../helpers/fault-sockets';
import { startRelay, type RelayProcess } from '../helpers/relay-process';

const LIMIT = 20; // the relay's default
let relay: RelayProcess;
const open: TestSocket[] = [];

beforeAll(async () => {
  relay = await startRelay();
});
afterAll(async () => {
  for (const s of open) s.close();
  await relay?.stop();
  relay?.cleanup();
});

function sockets(results: ({ socket: TestSocket } | { error: string })[]): { ok: TestSocket[]; errors: string[] } {
  const ok: TestSocket[] = [];
  const errors: string[] = [];
  for (const r of results) {
    if ('socket' in r) {
      ok.push(r.socket);
      open.push(r.socket);
    } else errors.push(r.error);
  }
  return { ok, errors };
}

describe('sockets per user', () => {
  it(`connections one at a time: ${LIMIT} pass, the next is refused, a freed slot is reusable`, async () => {
    const u = await register(relay.url);
    const results = [];
    for (let i = 0; i < LIMIT; i++) results.push(await tryConnect(relay.url, { token: u.token }));
    const first = sockets(results);
    expect(first.errors).toEqual([]);
    expect(first.ok.length).toBe(LIMIT);
    expect(await tryConnect(relay.url, { token: u.token })).toEqual({ error: 'rate_limited' });
    for (const s of first.ok) expect(s.connected).toBe(true);

    // another user is not affected by this one's limit
    const other = await register(relay.url);
    sockets([await tryConnect(relay.url, { token: other.token })]);
    expect(open.at(-1)!.connected).toBe(true);

    first.ok[0]!.close();
    await sleep(200);
    const again = sockets([await tryConnect(relay.url, { token: u.token })]);
    expect(again.errors).toEqual([]);
  });

  it(`${LIMIT + 10} connections opened at once: exactly ${LIMIT} are admitted`, async () => {
    const u = await register(relay.url);
    const r = sockets(await Promise.all(Array.from({ length: LIMIT + 10 }, () => tryConnect(relay.url, { token: u.token }))));
    expect(r.errors.every((e) => e === 'rate_limited'), r.errors.join(',')).toBe(true);
    expect(r.ok.length).toBe(LIMIT);
  });

  it(`${LIMIT + 10} CONNECT packets in one burst on a fresh raw connection: at most ${LIMIT} admitted, the relay drops the connection, no slot stays held`, async () => {
    const u = await register(relay.url);
    // a hand-made client: the transport is opened, then CONNECT for "/" is sent many times at once
    const manager = new Manager(relay.url, { transports: ['websocket'], autoConnect: false, reconnection: false, forceNew: true });
    await new Promise<void>((res, rej) => manager.open((err) => (err ? rej(err) : res())));
    const engine = (manager as unknown as { engine: { write(msg: string): void; on(ev: 'message', cb: (d: unknown) => void): void } }).engine;
    const answers: string[] = [];
    engine.on('message', (d) => void (typeof d === 'string' && /^[04]/.test(d) && answers.push(d)));
    for (let i = 0; i < LIMIT + 10; i++) engine.write(`0${JSON.stringify({ token: u.token })}`);
    await sleep(1500);
    const admitted = answers.filter((a) => a.startsWith('0')).length;
    expect(admitted).toBeLessThanOrEqual(LIMIT);
    expect(answers.filter((a) => !a.startsWith('0'))).toEqual(answers.filter((a) => a === '4{"message":"rate_limited"}'));
    // A CONNECT for a namespace the connection already has is a protocol error to
    // socket.io: the relay closes the whole connection, and every socket on it.
    const engineState = () => (manager.engine as unknown as { readyState: string }).readyState;
    for (let i = 0; i < 100 && engineState() !== 'closed'; i++) await sleep(50);
    expect(engineState()).toBe('closed');
    // Nothing of the burst holds a slot afterwards: exactly LIMIT pass, the next is refused.
    await sleep(200);
    const after = sockets(await Promise.all(Array.from({ length: LIMIT }, () => tryConnect(relay.url, { token: u.token }))));
    expect(after.errors).toEqual([]);
    expect(await tryConnect(relay.url, { token: u.token })).toEqual({ error: 'rate_limited' });
  });
});
