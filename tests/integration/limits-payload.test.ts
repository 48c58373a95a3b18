// Size limits on the socket: a payload over the transport limit (maxHttpBufferSize)
// costs only its sender the connection; the relay and everyone else carry on, and
// nothing of it is stored. Body limits (1-4000 characters after trimming) are exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { Chat } from '../../protocol/types';
import { befriend, call, connect, inviteAndAccept, ok, signUp, waitFor, type TestSocket, type TestUser } from '../helpers/clients';
import { disconnected, expectRefusal, fullHistory, healthz, rawEmit } from '../helpers/fault-sockets';
import { startRelay, type RelayProcess } from '../helpers/relay-process';

let relay: RelayProcess;
let a: TestUser;
let b: TestUser;
let c: TestUser;
let ab: Chat;
let bc: Chat;

beforeAll(async () => {
  relay = await startRelay();
  [a, b, c] = await Promise.all(['a', 'b', 'c'].map((p) => signUp(relay.url, p)));
  await befriend(a, b);
  await befriend(b, c);
  ab = await inviteAndAccept(a, b);
  bc = await inviteAndAccept(b, c);
});
afterAll(async () => {
  for (const u of [a, b, c]) u?.socket.close();
  await relay?.stop();
  relay?.cleanup();
});

describe('payload limits', () => {
  for (const transport of ['websocket', 'polling'] as const) {
    it(`a 200 KB chat:send over ${transport} drops only its sender; others are unaffected and nothing is stored`, async () => {
      const sender: TestSocket = io(relay.url, { auth: { token: a.token }, transports: [transport], reconnection: false, forceNew: true });
      await new Promise<void>((res, rej) => {
        sender.once('connect', () => res());
        sender.once('connect_error', rej);
      });
      const gone = disconnected(sender, 10_000);
      rawEmit(sender, 'chat:send', [{ chatId: ab.id, clientMsgId: `huge-${transport}`, body: 'x'.repeat(200 * 1024) }, () => undefined]);
      // The sender is cut off (rejects if it stays connected).
      expect(await gone).toBeTruthy();

      expect(relay.child.exitCode).toBeNull();
      expect((await healthz(relay.url)).status).toBe(200);
      for (const u of [a, b, c]) expect(u.socket.connected, `${u.user.username} was disconnected`).toBe(true);
      // the other users still chat, live
      const got = waitFor(c.socket, 'chat:message', (p) => p.message.clientMsgId === `after-${transport}`);
      await ok(b.socket, 'chat:send', { chatId: bc.id, clientMsgId: `after-${transport}`, body: 'still here' });
      await got;
      expect((await fullHistory(b.socket, ab.id)).some((m) => m.clientMsgId === `huge-${transport}`)).toBe(false);
      // and the sender's user can come straight back
      const again = await connect(relay.url, a.token);
      const seen = waitFor(b.socket, 'chat:message', (p) => p.message.clientMsgId === `back-${transport}`);
      await ok(again, 'chat:send', { chatId: ab.id, clientMsgId: `back-${transport}`, body: 'back again' });
      await seen;
      again.close();
    });
  }

  it('body length limits are exact: 4000 characters after trimming pass, 4001 and blank do not', async () => {
    const send = (clientMsgId: string, body: string) => call(a.socket, 'chat:send', { chatId: ab.id, clientMsgId, body });
    expect((await send('exact', 'y'.repeat(4000))).ok).toBe(true);
    expect((await send('padded', `  \n${'y'.repeat(4000)}\t  `)).ok).toBe(true);
    expectRefusal(await send('over', 'y'.repeat(4001)), 'bad_request', '4001 characters');
    expectRefusal(await send('blank', ' \n\t '), 'bad_request', 'blank body');
    expectRefusal(await send('empty', ''), 'bad_request', 'empty body');
    expectRefusal(await send('x'.repeat(65), 'ok body'), 'bad_request', '65-character clientMsgId');
    const ids = (await fullHistory(a.socket, ab.id)).map((m) => m.clientMsgId);
    expect(ids).toContain('exact');
    expect(ids).toContain('padded');
    for (const refused of ['over', 'blank', 'empty']) expect(ids).not.toContain(refused);
  });

  it('a burst of oversize payloads from many sockets leaves the relay serving', async () => {
    const attackers = await Promise.all(Array.from({ length: 10 }, () => connect(relay.url, c.token)));
    const gone = attackers.map((s) => disconnected(s, 10_000));
    for (const s of attackers) rawEmit(s, 'chat:history', [{ chatId: 'z'.repeat(300 * 1024) }]);
    await Promise.all(gone);
    expect(relay.child.exitCode).toBeNull();
    expect(c.socket.connected).toBe(true);
    await ok(c.socket, 'chat:history', { chatId: bc.id });
    expect((await healthz(relay.url)).status).toBe(200);
  });
});
