// The connection core against a real relay process: real HTTP, real socket.io, a real
// store on disk, the relay killed and restarted the way a crash would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { logout, register } from '../../client/auth';
import { RelayConnection, type SyncSnapshot } from '../../client/connection';
import { FileQueueStorage } from '../../client/file-queue-storage';
import { MemoryQueueStorage, type QueueStorage } from '../../client/queue-storage';
import type { ConnectionState, OutgoingUpdate } from '../../client/types';
import type {
  Ack,
  AuthResult,
  ClientEvent,
  ClientPayloads,
  ClientResults,
  ClientToServerEvents,
  Message,
  ServerToClientEvents,
} from '../../protocol/types';
import { startRelay, type RelayProcess } from '../helpers/relay-process';

type RawSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function relay(opts: Parameters<typeof startRelay>[0] = {}): Promise<RelayProcess> {
  const r = await startRelay(opts);
  cleanups.push(async () => {
    await r.kill();
    r.cleanup();
  });
  return r;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'client-test-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

let userCounter = 0;
async function newUser(url: string, prefix: string): Promise<AuthResult> {
  const username = `${prefix}${Date.now().toString(36)}${++userCounter}`.slice(0, 32);
  const res = await register(url, username, 'correct horse battery', prefix.toUpperCase());
  if (!res.ok) throw new Error(`register failed: ${res.error.code} ${res.error.message}`);
  return { token: res.token, user: res.user };
}

/** A plain socket.io client, the way another user's app (or a script) talks to the relay. */
async function rawSocket(url: string, token: string): Promise<RawSocket> {
  const s: RawSocket = io(url, { auth: { token }, forceNew: true, reconnection: false, transports: ['websocket'] });
  cleanups.push(() => s.disconnect());
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

async function ask<E extends ClientEvent>(s: RawSocket, event: E, payload: ClientPayloads[E]): Promise<Ack<ClientResults[E]>> {
  const emitter = s.timeout(10_000) as unknown as {
    emit(e: string, p: unknown, cb: (err: Error | null, res: Ack<ClientResults[E]>) => void): void;
  };
  return new Promise((resolve, reject) => emitter.emit(event, payload, (err, res) => (err ? reject(err) : resolve(res))));
}

async function must<E extends ClientEvent>(s: RawSocket, event: E, payload: ClientPayloads[E]): Promise<ClientResults[E]> {
  const res = await ask(s, event, payload);
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code} ${res.error.message}`);
  return res;
}

/** Two friends with a direct chat between them; both raw sockets stay connected. */
async function directChat(url: string) {
  const a = await newUser(url, 'ann');
  const b = await newUser(url, 'bob');
  const sa = await rawSocket(url, a.token);
  const sb = await rawSocket(url, b.token);
  await must(sa, 'friends:request', { username: b.user.username });
  await must(sb, 'friends:accept', { username: a.user.username });
  const { invite } = await must(sa, 'invite:create', { to: b.user.username });
  const { chat } = await must(sb, 'invite:accept', { inviteId: invite.id });
  return { a, b, sa, sb, chatId: chat.id };
}

async function fullHistory(s: RawSocket, chatId: string): Promise<Message[]> {
  const out: Message[] = [];
  let after = 0;
  for (let i = 0; i < 100; i++) {
    const page = await must(s, 'chat:history', { chatId, after, limit: 200 });
    out.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.hasMore || !last) break;
    after = last.seq;
  }
  return out;
}

/**
 * A TCP pass-through to the relay that the test can shut: a shut gate drops new
 * connections at once, like a network that is down. Open connections end when the
 * relay's end does.
 */
async function tcpGate(targetPort: number) {
  let open = true;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.pipe(upstream);
    upstream.pipe(client);
    for (const end of [client, upstream]) {
      end.on('error', close);
      end.on('close', close);
    }
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  cleanups.push(() => new Promise<void>((res) => server.close(() => res())));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setOpen(v: boolean) {
      open = v;
    },
  };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A RelayConnection with everything it reports recorded, for assertions. */
function connection(url: string, storage: QueueStorage = new MemoryQueueStorage(), backoff = { baseMs: 100, maxMs: 500, jitter: 0.5 }) {
  const conn = new RelayConnection({
    url,
    storage,
    backoff,
    retryBackoff: { baseMs: 100, maxMs: 500, jitter: 0.5 },
    requestTimeoutMs: 3000,
  });
  cleanups.push(() => conn.stop());
  const rec = {
    states: [] as ConnectionState[],
    live: [] as Message[],
    caughtUp: [] as Message[],
    outgoing: [] as OutgoingUpdate[],
    syncs: [] as SyncSnapshot[],
    unauthorized: 0,
    /** Every message shown to the user, however it arrived. */
    shown(chatId: string): Message[] {
      const sent = rec.outgoing.flatMap((u) => (u.kind === 'sent' ? [u.message] : []));
      return [...rec.live, ...rec.caughtUp, ...sent].filter((m) => m.chatId === chatId);
    },
  };
  conn.onState((s) => rec.states.push(s));
  conn.on('chat:message', ({ message }) => rec.live.push(message));
  conn.onCatchUp((_chatId, messages) => rec.caughtUp.push(...messages));
  conn.onOutgoing((u) => rec.outgoing.push(u));
  conn.onSync((s) => rec.syncs.push(s));
  conn.onUnauthorized(() => rec.unauthorized++);
  return { conn, rec };
}

const bodies = (ms: Message[]) => ms.map((m) => m.body);
const ids = (ms: Message[]) => ms.map((m) => m.id);
const countSent = (rec: { outgoing: OutgoingUpdate[] }) => rec.outgoing.filter((u) => u.kind === 'sent').length;

// Each test starts (and restarts) relay processes, which is slow on a busy machine.
describe('RelayConnection against a real relay', { timeout: 90_000 }, () => {
  it('reports states, syncs after connecting and delivers live messages once', async () => {
    const r = await relay();
    const { a, sb, chatId } = await directChat(r.url);
    const { conn, rec } = connection(r.url);
    conn.start(a.token);
    expect(conn.state()).toEqual({ status: 'connecting' });
    await waitFor('first sync', () => rec.syncs.length === 1);
    expect(rec.states.map((s) => s.status)).toEqual(['connecting', 'online']);
    const snap = rec.syncs[0]!;
    expect(snap.chats.map((c) => c.id)).toEqual([chatId]);
    expect(snap.friends.friends.map((f) => f.username)).toHaveLength(1);
    expect(snap.invites).toEqual({ incoming: [], outgoing: [] });

    await must(sb, 'chat:send', { chatId, clientMsgId: 'live-1', body: 'hello ann' });
    await waitFor('live message', () => rec.live.length === 1);
    expect(rec.live[0]!.body).toBe('hello ann');

    // Our own send: reported as 'sent', never a second time as a live chat:message.
    await conn.send(chatId, 'hi bob');
    await waitFor('own send acknowledged', () => countSent(rec) === 1);
    await new Promise((res) => setTimeout(res, 200));
    expect(bodies(rec.live)).toEqual(['hello ann']);
    expect(bodies(rec.shown(chatId))).toEqual(['hello ann', 'hi bob']);
  });

  it('after the relay is SIGKILLed and restarted on the same data, catches up what was missed exactly once', async () => {
    const dataDir = tempDir();
    const first = await startRelay({ dataDir });
    cleanups.push(async () => {
      await first.kill();
    });
    const { a, b, sb, chatId } = await directChat(first.url);
    // This client reaches the relay through a gate the test holds shut while the others act,
    // so what they do certainly happens while it is away.
    const gate = await tcpGate(first.port);
    const { conn, rec } = connection(gate.url);
    conn.start(a.token);
    await waitFor('first sync', () => rec.syncs.length === 1);
    await must(sb, 'chat:send', { chatId, clientMsgId: 'before-1', body: 'before the crash' });
    await waitFor('live message', () => rec.live.length === 1);

    gate.setOpen(false);
    await first.kill();
    await waitFor('reconnecting', () => conn.state().status === 'reconnecting');

    const second = await relay({ dataDir, port: first.port });
    const sb2 = await rawSocket(second.url, b.token);
    for (const n of [1, 2, 3]) await must(sb2, 'chat:send', { chatId, clientMsgId: `missed-${n}`, body: `missed ${n}` });
    // A friend request missed while away must show up in the fresh lists.
    const c = await newUser(second.url, 'cyd');
    await must(await rawSocket(second.url, c.token), 'friends:request', { username: a.user.username });
    await waitFor('a few failed attempts', () => {
      const s = conn.state();
      return s.status === 'reconnecting' && s.attempt >= 3;
    });
    expect(rec.syncs).toHaveLength(1);
    gate.setOpen(true);

    await waitFor('second sync', () => rec.syncs.length === 2, 20_000);
    expect(bodies(rec.caughtUp)).toEqual(['missed 1', 'missed 2', 'missed 3']);
    expect(rec.syncs[1]!.friends.incoming.map((u) => u.id)).toEqual([c.user.id]);
    expect(rec.syncs[1]!.chats.map((ch) => ch.id)).toEqual([chatId]);
    await must(sb2, 'chat:send', { chatId, clientMsgId: 'after-1', body: 'after the restart' });
    await waitFor('live after reconnect', () => rec.live.length === 2);

    const shown = rec.shown(chatId);
    expect(bodies(shown)).toEqual(['before the crash', 'after the restart', 'missed 1', 'missed 2', 'missed 3']);
    expect(new Set(ids(shown)).size).toBe(shown.length);
    const history = await fullHistory(sb2, chatId);
    expect([...ids(shown)].sort()).toEqual([...ids(history)].sort());

    // Backoff as reported: attempts count up from 1 and each wait lies within the configured bounds.
    const retries = rec.states.flatMap((st) => (st.status === 'reconnecting' ? [st] : []));
    expect(retries.map((st) => st.attempt)).toEqual(retries.map((_, i) => i + 1));
    for (const st of retries) {
      const d = Math.min(500, 100 * 2 ** (st.attempt - 1));
      expect(st.retryInMs).toBeGreaterThanOrEqual(Math.floor(d * 0.5));
      expect(st.retryInMs).toBeLessThanOrEqual(d);
    }
    expect(rec.states.at(-1)).toEqual({ status: 'online' });
  });

  it('a graceful relay restart (SIGTERM) never signs the user out', async () => {
    const dataDir = tempDir();
    const first = await startRelay({ dataDir });
    cleanups.push(async () => {
      await first.kill();
    });
    const a = await newUser(first.url, 'eve');
    // Eager retries, to land in the relay's shutdown window if it has one.
    const { conn, rec } = connection(first.url, new MemoryQueueStorage(), { baseMs: 10, maxMs: 50, jitter: 0.5 });
    conn.start(a.token);
    await waitFor('first sync', () => rec.syncs.length === 1);
    expect(await first.stop()).toBe(0);
    await waitFor('reconnecting', () => conn.state().status === 'reconnecting');
    await relay({ dataDir, port: first.port });
    await waitFor('second sync', () => rec.syncs.length === 2, 20_000);
    expect(rec.unauthorized).toBe(0);
    expect(rec.states.some((st) => st.status === 'signed-out')).toBe(false);
  });

  it('queues a message sent while offline and delivers it exactly once after reconnecting', async () => {
    const dataDir = tempDir();
    const first = await startRelay({ dataDir });
    cleanups.push(async () => {
      await first.kill();
    });
    const { a, b, chatId } = await directChat(first.url);
    const { conn, rec } = connection(first.url);
    conn.start(a.token);
    await waitFor('first sync', () => rec.syncs.length === 1);

    await first.kill();
    await waitFor('offline', () => conn.state().status === 'reconnecting');
    const queued = await conn.send(chatId, 'typed while offline');
    expect(queued.clientMsgId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(rec.outgoing).toEqual([{ kind: 'queued', outgoing: queued }]);
    expect(await conn.pending(chatId)).toEqual([queued]);

    const second = await relay({ dataDir, port: first.port });
    await waitFor('sent after reconnect', () => countSent(rec) === 1, 20_000);
    const sent = rec.outgoing.find((u) => u.kind === 'sent');
    expect(sent).toMatchObject({ kind: 'sent', clientMsgId: queued.clientMsgId, message: { body: 'typed while offline', clientMsgId: queued.clientMsgId } });
    expect(await conn.pending(chatId)).toEqual([]);

    const sb = await rawSocket(second.url, b.token);
    const history = await fullHistory(sb, chatId);
    expect(bodies(history)).toEqual(['typed while offline']);
    await new Promise((res) => setTimeout(res, 300));
    expect(countSent(rec)).toBe(1);
    expect(rec.shown(chatId)).toHaveLength(1);
  });

  it('a transport dropped right after chat:send leaves the message in history exactly once', async () => {
    const r = await relay();
    const { a, sb, chatId } = await directChat(r.url);
    // A fixed reconnect delay, long enough to look at the relay's store while the client is away.
    const { conn, rec } = connection(r.url, new MemoryQueueStorage(), { baseMs: 600, maxMs: 600, jitter: 0 });
    conn.start(a.token);
    await waitFor('first sync', () => rec.syncs.length === 1);

    const rounds = 5;
    let storedButUnacknowledged = 0;
    for (let i = 0; i < rounds; i++) {
      const syncsBefore = rec.syncs.length;
      // send() resolves after the chat:send packet was handed to the transport; cut it before any ack.
      await conn.send(chatId, `round ${i}`);
      conn.dropTransport();
      expect(countSent(rec)).toBe(i);
      await new Promise((res) => setTimeout(res, 200));
      const stored = (await fullHistory(sb, chatId)).filter((m) => m.body === `round ${i}`).length;
      if (stored === 1 && countSent(rec) === i && conn.state().status !== 'online') storedButUnacknowledged++;
      await waitFor(`round ${i} acknowledged`, () => countSent(rec) === i + 1);
      await waitFor(`round ${i} resync`, () => rec.syncs.length > syncsBefore);
    }
    expect(rec.states.filter((s) => s.status === 'reconnecting').length).toBeGreaterThanOrEqual(rounds);
    // The case that matters happened: the relay stored the message, the client never heard, and resent it.
    expect(storedButUnacknowledged).toBeGreaterThanOrEqual(1);

    const history = await fullHistory(sb, chatId);
    expect(bodies(history)).toEqual(Array.from({ length: rounds }, (_, i) => `round ${i}`));
    const sentIds = rec.outgoing.flatMap((u) => (u.kind === 'sent' ? [u.message.id] : []));
    expect(sentIds).toEqual(ids(history));
    expect(rec.live).toEqual([]);
  });

  it('a new RelayConnection over the same queue file resends what was pending, in order, once', async () => {
    const dataDir = tempDir();
    const queuePath = join(tempDir(), 'outbox.json');
    const first = await startRelay({ dataDir });
    cleanups.push(async () => {
      await first.kill();
    });
    const { a, b, chatId } = await directChat(first.url);
    const before = connection(first.url, new FileQueueStorage(queuePath));
    before.conn.start(a.token);
    await waitFor('first sync', () => before.rec.syncs.length === 1);
    await first.kill();
    await waitFor('offline', () => before.conn.state().status === 'reconnecting');
    const count = 30;
    for (let i = 0; i < count; i++) await before.conn.send(chatId, `queued ${i}`);
    // The app quits with its queue on disk.
    before.conn.stop();
    expect(await new FileQueueStorage(queuePath).load()).toHaveLength(count);

    const second = await relay({ dataDir, port: first.port });
    const after = connection(second.url, new FileQueueStorage(queuePath));
    expect((await after.conn.pending(chatId)).map((m) => m.body)).toEqual(Array.from({ length: count }, (_, i) => `queued ${i}`));
    after.conn.start(a.token);
    await waitFor('all resent', () => countSent(after.rec) === count, 20_000);
    expect(await after.conn.pending()).toEqual([]);
    // Removal is saved in the background; it must reach the file soon after.
    let onDisk = await new FileQueueStorage(queuePath).load();
    for (let i = 0; i < 50 && onDisk.length > 0; i++) {
      await new Promise((res) => setTimeout(res, 20));
      onDisk = await new FileQueueStorage(queuePath).load();
    }
    expect(onDisk).toEqual([]);

    const sb = await rawSocket(second.url, b.token);
    const history = await fullHistory(sb, chatId);
    expect(bodies(history)).toEqual(Array.from({ length: count }, (_, i) => `queued ${i}`));
    // seq order is send order
    expect(history.map((m) => m.seq)).toEqual([...history.map((m) => m.seq)].sort((x, y) => x - y));
  });

  it('rides out rate limiting: a burst beyond the limit is delivered completely, in order, once', async () => {
    const r = await relay({ env: { SEND_RATE_PER_SECOND: '5', SEND_BURST: '10' } });
    const { a, sb, chatId } = await directChat(r.url);
    const { conn, rec } = connection(r.url);
    conn.start(a.token);
    await waitFor('first sync', () => rec.syncs.length === 1);
    const count = 30;
    const t0 = Date.now();
    for (let i = 0; i < count; i++) await conn.send(chatId, `burst ${i}`);
    await waitFor('all acknowledged', () => countSent(rec) === count, 30_000);
    // 10 at once, then 5 a second: the relay must have refused some, which were retried.
    expect(Date.now() - t0).toBeGreaterThan(2500);
    expect(rec.outgoing.filter((u) => u.kind === 'failed')).toEqual([]);
    const history = await fullHistory(sb, chatId);
    expect(bodies(history)).toEqual(Array.from({ length: count }, (_, i) => `burst ${i}`));
  });

  it('fails a message for good on a permanent refusal and keeps sending the rest of the chat', async () => {
    const r = await relay();
    const { a, chatId } = await directChat(r.url);
    const { conn, rec } = connection(r.url);
    conn.start(a.token);
    await waitFor('first sync', () => rec.syncs.length === 1);
    const bad = await conn.send('no-such-chat', 'into the void');
    const blank = await conn.send(chatId, '   ');
    const good = await conn.send(chatId, 'still works');
    await waitFor('all settled', () => rec.outgoing.filter((u) => u.kind !== 'queued').length === 3);
    expect(rec.outgoing.filter((u) => u.kind === 'failed')).toEqual(
      expect.arrayContaining([
        { kind: 'failed', clientMsgId: bad.clientMsgId, chatId: 'no-such-chat', error: expect.objectContaining({ code: 'not_found' }) },
        { kind: 'failed', clientMsgId: blank.clientMsgId, chatId, error: expect.objectContaining({ code: 'bad_request' }) },
      ]),
    );
    expect(rec.outgoing.find((u) => u.kind === 'sent')).toMatchObject({ clientMsgId: good.clientMsgId });
    expect(await conn.pending()).toEqual([]);
  });

  it('stops and reports signed-out when the token is revoked', async () => {
    const r = await relay();
    const a = await newUser(r.url, 'cat');
    const { conn, rec } = connection(r.url);
    conn.start(a.token);
    await waitFor('online', () => conn.state().status === 'online');
    const out = await logout(r.url, a.token);
    expect(out).toEqual({ ok: true });
    await waitFor('signed out', () => rec.unauthorized === 1);
    expect(conn.state()).toEqual({ status: 'signed-out' });
    expect(await conn.request('chat:list', {})).toEqual({ ok: false, error: { code: 'unauthorized', message: 'not signed in' } });
    await new Promise((res) => setTimeout(res, 700));
    expect(rec.states.at(-1)).toEqual({ status: 'signed-out' });
    expect(rec.unauthorized).toBe(1);
  });

  it('an unknown token never connects', async () => {
    const r = await relay();
    const { conn, rec } = connection(r.url);
    conn.start('not-a-real-token');
    await waitFor('signed out', () => rec.unauthorized === 1);
    expect(rec.states.map((s) => s.status)).toEqual(['connecting', 'signed-out']);
  });

  it('request() answers a relay refusal as is, and a timeout as an internal error', async () => {
    const r = await relay();
    const a = await newUser(r.url, 'dan');
    const { conn } = connection(r.url);
    conn.start(a.token);
    expect(await conn.request('chat:list', {})).toEqual({ ok: true, chats: [] }); // waits for the connection
    const refused = await conn.request('chat:history', { chatId: 'nope' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await r.kill();
    await waitFor('offline', () => conn.state().status === 'reconnecting');
    const t0 = Date.now();
    const timedOut = await conn.request('chat:list', {}, 300);
    expect(timedOut).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });
});
