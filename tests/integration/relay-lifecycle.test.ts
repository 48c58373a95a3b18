// docs/protocol.md "Starting the relay": the listening line with the real port for PORT=0,
// SIGTERM/SIGINT finish in-flight writes and exit 0, and everything stored survives a
// graceful restart on the same DATA_DIR.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '../../protocol/types';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { call, connect, ok, type TestUser } from '../helpers/clients';
import { closeAll, group, post } from '../helpers/scenarios';

const started: RelayProcess[] = [];
afterAll(async () => {
  for (const r of started) await r.kill();
  for (const r of started) r.cleanup();
});

async function start(dataDir?: string): Promise<RelayProcess> {
  const r = await startRelay(dataDir ? { dataDir } : {});
  started.push(r);
  return r;
}

describe('relay lifecycle', () => {
  it('prints "relay listening on http://HOST:PORT" with the real port when PORT=0', async () => {
    const r = await start();
    expect(r.port).toBeGreaterThan(0);
    expect(r.output()).toContain(`relay listening on http://127.0.0.1:${r.port}`);
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
    expect(await r.stop()).toBe(0);
  });

  it('a port already in use ends the start with one line naming PORT, and exit 1', async () => {
    const first = await start();
    const dataDir = mkdtempSync(join(tmpdir(), 'relay-port-busy-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../../relay/main.ts')], {
        env: { ...process.env, PORT: String(first.port), HOST: '127.0.0.1', DATA_DIR: dataDir, MONGODB_URI: '', REDIS_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err.trim().split('\n')).toEqual([
        `relay cannot start: port ${first.port} on 127.0.0.1 is already in use; set PORT to a free port (PORT=0 picks one)`,
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  });

  it('SIGINT exits 0', async () => {
    const r = await start();
    r.child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => (r.child.exitCode !== null ? res(r.child.exitCode) : r.child.once('exit', (c) => res(c))));
    expect(code).toBe(0);
  });

  it('SIGTERM during a stream of sends: exit 0, and after a restart every acknowledged message, user, token and chat is there', async () => {
    const first = await start();
    const { members, chat } = await group(first.url, 3);
    const [a, b] = members as [TestUser, TestUser];
    const acked: Message[] = [];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      sends.push(
        call(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `t-${i}`, body: `before stop ${i}` }, 5000).then(
          (r) => void (r.ok && acked.push(r.message)),
          () => undefined,
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 5));
    const code = await first.stop();
    await Promise.all(sends);
    expect(code).toBe(0);
    // sends that reached the relay before the signal were finished and answered
    expect(acked.length).toBeGreaterThan(0);
    closeAll(...members);

    const second = await start(first.dataDir);
    // the old token still works: sessions outlive a restart
    const a2 = await connect(second.url, a.token);
    const h = await ok(a2, 'chat:history', { chatId: chat.id, limit: 200 });
    const stored = new Map(h.messages.map((m) => [m.id, m]));
    for (const m of acked) expect(stored.get(m.id)).toEqual(m);
    // seq order in history is the send order of a's socket
    const bodies = h.messages.map((m) => m.body);
    expect(bodies).toEqual([...bodies].sort((x, y) => Number(x.split(' ').pop()) - Number(y.split(' ').pop())));
    // the password works and the chat is active with all three members
    const login = await post(second.url, '/api/login', { username: b.user.username, password: 'correct horse' });
    expect(login.status).toBe(200);
    const { chats } = await ok(a2, 'chat:list', {});
    expect(chats.find((c) => c.id === chat.id)?.members).toHaveLength(3);
    // seq continues after the restart
    const { message } = await ok(a2, 'chat:send', { chatId: chat.id, clientMsgId: 'after-restart', body: 'after' });
    expect(message.seq).toBeGreaterThan(Math.max(0, ...h.messages.map((m) => m.seq)));
    a2.close();
    expect(await second.stop()).toBe(0);
  });
});
