// Issue 4's headline fault: the relay is SIGKILLed while three clients (the real
// connection core, each with its on-disk outgoing queue) are sending into one group.
// It restarts on the same data and port; every client reconnects, resends its queue,
// and every member ends with the same complete, duplicate-free history, equal to the
// set of messages any client saw acknowledged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RelayConnection } from '../../client/connection';
import { FileQueueStorage } from '../../client/file-queue-storage';
import type { Message } from '../../protocol/types';
import { befriend, inviteAndAccept, signUp, sleep, type TestUser } from '../helpers/clients';
import { startRelay, type RelayProcess } from '../helpers/relay-process';

const PER_CLIENT = 40;
const relays: RelayProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const r of relays) await r.kill();
  for (const r of relays) r.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Client {
  name: string;
  conn: RelayConnection;
  /** Every message this client has been shown: live, caught up, or its own acknowledged ones. */
  seen: Map<string, Message>;
  acked: Message[];
  duplicatesShown: number;
}

function client(name: string, url: string, token: string, chatId: string): Client {
  const dir = mkdtempSync(join(tmpdir(), `queue-${name}-`));
  dirs.push(dir);
  const conn = new RelayConnection({
    url,
    storage: new FileQueueStorage(join(dir, 'outbox.json')),
    backoff: { baseMs: 100, maxMs: 500, jitter: 0.5 },
    retryBackoff: { baseMs: 100, maxMs: 500, jitter: 0.5 },
    socketOptions: { transports: ['websocket'] },
  });
  const c: Client = { name, conn, seen: new Map(), acked: [], duplicatesShown: 0 };
  const show = (m: Message) => {
    if (m.chatId !== chatId) return;
    if (c.seen.has(m.id)) c.duplicatesShown++;
    c.seen.set(m.id, m);
  };
  conn.on('chat:message', ({ message }) => show(message));
  conn.onCatchUp((_chat, messages) => messages.forEach(show));
  conn.onOutgoing((u) => {
    if (u.kind !== 'sent') return;
    c.acked.push(u.message);
    show(u.message);
  });
  conn.start(token);
  return c;
}

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('three clients sending through a relay crash', () => {
  it('every member ends with the same complete history, each message once, nothing acknowledged lost', async () => {
    const first = await startRelay();
    relays.push(first);
    const [a, b, c]: TestUser[] = [await signUp(first.url, 'a'), await signUp(first.url, 'b'), await signUp(first.url, 'c')];
    await befriend(a, b);
    await befriend(a, c);
    const direct = await inviteAndAccept(a, b);
    const group = await inviteAndAccept(a, c, direct.id);
    for (const u of [a, b, c]) u.socket.close();

    const clients = [client('a', first.url, a.token, group.id), client('b', first.url, b.token, group.id), client('c', first.url, c.token, group.id)];
    await until('all online', () => clients.every((x) => x.conn.state().status === 'online'));

    // each client sends steadily; the relay is killed partway through
    const sending = clients.map(async (x) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        await x.conn.send(group.id, `${x.name} ${i}`);
        await sleep(10);
      }
    });
    await until('some messages acknowledged', () => clients.reduce((n, x) => n + x.acked.length, 0) >= 30);
    await first.kill();
    const ackedBeforeCrash = new Set(clients.flatMap((x) => x.acked.map((m) => m.id)));
    await sleep(300);
    const second = await startRelay({ dataDir: first.dataDir, port: first.port });
    relays.push(second);
    await Promise.all(sending);

    // every queue drains: all 3 × PER_CLIENT messages acknowledged exactly once
    await until('every queue empty', () => clients.every((x) => x.acked.length === PER_CLIENT), 60_000);
    for (const x of clients) expect(await x.conn.pending()).toEqual([]);

    const reader = new RelayConnection({ url: second.url, storage: new FileQueueStorage(join(dirs[0]!, 'reader.json')) });
    const history: Message[] = [];
    reader.start(a.token);
    let after = 0;
    for (;;) {
      const page = await reader.request('chat:history', { chatId: group.id, after, limit: 200 });
      if (!page.ok) throw new Error(page.error.message);
      history.push(...page.messages);
      if (!page.hasMore) break;
      after = page.messages.at(-1)!.seq;
    }
    reader.close();

    const allAcked = clients.flatMap((x) => x.acked);
    expect(history).toHaveLength(3 * PER_CLIENT);
    expect(new Set(history.map((m) => m.id)).size).toBe(history.length);
    expect(new Set(history.map((m) => `${m.sender.id}/${m.clientMsgId}`)).size).toBe(history.length);
    expect(history.map((m) => m.seq)).toEqual([...history.map((m) => m.seq)].sort((p, q) => p - q));
    // the stored set is exactly the set any client saw acknowledged, and the pre-crash acks survived
    expect(new Set(history.map((m) => m.id))).toEqual(new Set(allAcked.map((m) => m.id)));
    for (const id of ackedBeforeCrash) expect(history.some((m) => m.id === id)).toBe(true);
    // each sender's own messages keep their send order
    for (const x of clients) {
      const mine = history.filter((m) => m.body.startsWith(`${x.name} `)).map((m) => Number(m.body.split(' ')[1]));
      expect(mine).toEqual([...Array(PER_CLIENT).keys()]);
    }
    // every member was shown the same complete history, nothing twice
    await until('every member has seen everything', () => clients.every((x) => x.seen.size === history.length), 20_000);
    for (const x of clients) {
      expect(x.duplicatesShown, `${x.name} was shown a message twice`).toBe(0);
      expect([...x.seen.values()].sort((p, q) => p.seq - q.seq)).toEqual(history);
    }
    for (const x of clients) x.conn.close();
  }, 120_000);
});
