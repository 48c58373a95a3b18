// A failing store: the relay's DATA_DIR sits on a 3 MB tmpfs that is filled until
// writes fail. A message is acknowledged only once it is durably stored (rule 8), so a
// write that fails must answer `internal`, deliver nothing and store nothing; /healthz
// must say the store is not well; and after space returns, resending the failed
// messages with their clientMsgIds stores each exactly once.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Chat, Message } from '../../protocol/types';
import { call, befriend, inviteAndAccept, ok, record, signUp, sleep, type TestUser } from '../helpers/clients';
import { mountTmpfs, type SmallDisk } from '../helpers/fault-mount';
import { asWireError, fullHistory, healthz, httpPost } from '../helpers/fault-sockets';
import { startRelay, type RelayProcess } from '../helpers/relay-process';

let disk: SmallDisk | undefined;
let skipReason = '';
let relay: RelayProcess | undefined;
let a: TestUser;
let b: TestUser;
let chat: Chat;
let filler = '';
let rest = '';
let delivered: { message: Message }[] = [];
const acked: Message[] = [];
const failed: { clientMsgId: string; body: string }[] = [];

beforeAll(async () => {
  const mounted = mountTmpfs('3m');
  if ('reason' in mounted) {
    skipReason = mounted.reason;
    return;
  }
  disk = mounted;
  // this test sends well over the 100-message burst within seconds; the rate limit is tested elsewhere
  relay = await startRelay({ dataDir: disk.dir, env: { SEND_BURST: '1000' } });
  a = await signUp(relay.url, 'a');
  b = await signUp(relay.url, 'b');
  await befriend(a, b);
  chat = await inviteAndAccept(a, b);
  for (let i = 0; i < 3; i++) acked.push((await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `roomy-${i}`, body: `plenty of space ${i}` })).message);
  delivered = record(b.socket, 'chat:message');
});

afterAll(async () => {
  a?.socket.close();
  b?.socket.close();
  await relay?.stop();
  disk?.unmount();
});

function needsDisk(ctx: TestContext): void {
  if (!disk) {
    console.log(`store-failure: skipped: ${skipReason}`);
    ctx.skip();
  }
}

describe('a full disk under the relay', () => {
  it('answers internal, never ok, for a message it cannot store, and delivers nothing for it', async (ctx) => {
    needsDisk(ctx);
    filler = disk!.fill(48 * 1024);
    const body = 'x'.repeat(3000);
    // a burst first: these are group-committed together, so a batch fails or succeeds whole
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `burst-${i}`, body: `${body} burst ${i}` }).then((res) => ({ i, res }))),
    );
    for (const { i, res } of burst) {
      if (res.ok) acked.push(res.message);
      else {
        expect(asWireError(res)?.code, JSON.stringify(res)).toBe('internal');
        failed.push({ clientMsgId: `burst-${i}`, body: `${body} burst ${i}` });
      }
    }
    let failuresInARow = 0;
    for (let i = 0; i < 400 && failuresInARow < 5; i++) {
      const clientMsgId = `tight-${i}`;
      const res = await call(a.socket, 'chat:send', { chatId: chat.id, clientMsgId, body: `${body} ${i}` });
      if (res.ok) {
        acked.push(res.message);
        failuresInARow = 0;
        continue;
      }
      expect(asWireError(res)?.code, JSON.stringify(res)).toBe('internal');
      failed.push({ clientMsgId, body: `${body} ${i}` });
      failuresInARow++;
    }
    expect(failed.length).toBeGreaterThanOrEqual(5);
    await sleep(300);
    const deliveredIds = delivered.map((d) => d.message.clientMsgId);
    for (const f of failed) expect(deliveredIds, `${f.clientMsgId} was delivered though refused`).not.toContain(f.clientMsgId);
    // reads still work, and show none of the refused messages
    const history = await fullHistory(a.socket, chat.id);
    expect(history.map((m) => m.clientMsgId)).toEqual([...acked].sort((x, y) => x.seq - y.seq).map((m) => m.clientMsgId));
    expect(relay!.child.exitCode).toBeNull();
  });

  it('an account write on the full disk fails as internal without leaking store details', async (ctx) => {
    needsDisk(ctx);
    // The relay's message log gives back what it took when it could not grow, so a few
    // kilobytes may still be free for SQLite: take them too.
    rest = disk!.fill(0, 'filler-rest');
    const res = await httpPost(relay!.url, '/api/register', JSON.stringify({ username: `full${Date.now() % 100000}`, password: 'long enough' }), { 'content-type': 'application/json' });
    expect(res.status, res.text).toBeGreaterThanOrEqual(500);
    expect((res.json as { error: { code: string } }).error.code).toBe('internal');
    expect(res.text).not.toMatch(/sqlite|SQLITE_|disk|ENOSPC|\/tmp\//i);
  });

  it('GET /healthz reports the store as unhealthy (503) while it cannot write', async (ctx) => {
    needsDisk(ctx);
    const h = await healthz(relay!.url);
    expect(h.status).toBe(503);
  });

  it('after space returns, resending the refused clientMsgIds stores each exactly once', async (ctx) => {
    needsDisk(ctx);
    rmSync(filler);
    rmSync(rest);
    const before = await fullHistory(a.socket, chat.id);
    for (const f of failed) expect(before.some((m) => m.clientMsgId === f.clientMsgId), `${f.clientMsgId} is in history without a resend`).toBe(false);

    const resent: Message[] = [];
    for (const f of failed) resent.push((await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: f.clientMsgId, body: f.body })).message);
    // a second resend is a duplicate: the same message, nothing new
    for (const [i, f] of failed.entries()) expect((await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: f.clientMsgId, body: f.body })).message).toEqual(resent[i]);

    const history = await fullHistory(a.socket, chat.id);
    const byId = new Map(history.map((m) => [m.id, m]));
    for (const m of [...acked, ...resent]) expect(byId.get(m.id), m.clientMsgId).toEqual(m);
    expect(history.length).toBe(acked.length + resent.length);
    const seqs = history.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(history.map((m) => m.clientMsgId)).size).toBe(history.length);

    const h = await healthz(relay!.url);
    expect(h.status).toBe(200);
    expect(relay!.child.exitCode).toBeNull();
  });
});
