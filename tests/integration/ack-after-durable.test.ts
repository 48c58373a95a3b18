// Rule 8, "acknowledged only once durably stored", watched at the moment it matters: a
// real relay (in this process, so the test can reach the store's flush seam), real
// sockets, a real SQLite file. While the WAL's fdatasync is held, the sender gets no
// ack and the other member no message; they come when the flush completes. A failed
// flush acknowledges nothing and stops the relay. (A SIGKILL test cannot tell the disk
// from the page cache: the flush could be skipped and every crash test would pass.)
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/app';
import { loadConfig } from '../../relay/config';
import { createLogger } from '../../relay/log';
import type { ServerPayloads } from '../../protocol/types';
import { call, inviteAndAccept, befriend, type TestUser } from '../helpers/clients';
import { closeAll, users } from '../helpers/scenarios';

/** Holds every flush while `held`, until released; or fails them. */
class Gate {
  held = false;
  failWith: Error | null = null;
  private waiting: Array<() => void> = [];
  flushes = 0;
  readonly flushGate = (): Promise<void> => {
    this.flushes++;
    if (this.failWith) return Promise.reject(this.failWith);
    if (!this.held) return Promise.resolve();
    return new Promise((r) => this.waiting.push(r));
  };
  waitingCount(): number {
    return this.waiting.length;
  }
  release(): void {
    this.held = false;
    for (const r of this.waiting.splice(0)) r();
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function relayWith(gate: Gate, onFatal?: (err: Error) => void): Promise<{ relay: Relay; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ack-durable-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'silent' });
  const relay = await createRelay(config, createLogger('silent'), { flushGate: gate.flushGate, ...(onFatal ? { onFatal } : {}) });
  await new Promise<void>((r) => relay.server.listen(0, '127.0.0.1', r));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(async () => {
    gate.release();
    await relay.stop();
  });
  return { relay, url: `http://127.0.0.1:${(relay.server.address() as AddressInfo).port}` };
}

async function pair(url: string): Promise<{ a: TestUser; b: TestUser; chatId: string }> {
  const [a, b] = (await users(url, ['dur_a', 'dur_b'])) as [TestUser, TestUser];
  cleanups.push(() => closeAll(a, b));
  await befriend(a, b);
  const chat = await inviteAndAccept(a, b);
  return { a, b, chatId: chat.id };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ack only after durable (rule 8)', () => {
  it('while the WAL flush is held there is no ack and no delivery; both come once it completes', async () => {
    const gate = new Gate();
    const { url } = await relayWith(gate);
    const { a, b, chatId } = await pair(url);
    const delivered: ServerPayloads['chat:message'][] = [];
    b.socket.on('chat:message', (p) => delivered.push(p));

    gate.held = true;
    let acked = false;
    const ack = call(a.socket, 'chat:send', { chatId, clientMsgId: 'held-1', body: 'wait for the disk' }).then((r) => {
      acked = true;
      return r;
    });
    // The append is committed and its flush has begun (and is held) ...
    for (let i = 0; i < 100 && gate.waitingCount() === 0; i++) await settle(20);
    expect(gate.waitingCount()).toBe(1);
    // ... and for as long as it is held, nothing is said to anyone.
    await settle(1500);
    expect(acked).toBe(false);
    expect(delivered).toEqual([]);

    gate.release();
    const res = await ack;
    expect(res.ok).toBe(true);
    for (let i = 0; i < 100 && delivered.length === 0; i++) await settle(20);
    expect(delivered.map((d) => d.message.body)).toEqual(['wait for the disk']);
    if (res.ok) expect(delivered[0]!.message.seq).toBe(res.message.seq);
  });

  it('a failed flush acknowledges nothing, delivers nothing, and stops the relay', async () => {
    const gate = new Gate();
    const fatal: Error[] = [];
    const { url } = await relayWith(gate, (err) => fatal.push(err));
    const { a, b, chatId } = await pair(url);
    const delivered: ServerPayloads['chat:message'][] = [];
    b.socket.on('chat:message', (p) => delivered.push(p));

    // The fault this stands for (EIO from fdatasync) cannot be made on this machine's
    // disks; the seam fails the flush the way the kernel would report it.
    gate.failWith = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const res = await call(a.socket, 'chat:send', { chatId, clientMsgId: 'lost-1', body: 'never acked' });
    expect(res.ok).toBe(false);
    expect(fatal.map((e) => e.message)).toEqual(['EIO: i/o error, fdatasync']);
    await settle(1000);
    expect(delivered).toEqual([]);
  });
});
