// Redis going away under running relays. Restarted (empty: persistence is off), the
// relays join again by themselves: cross-relay delivery resumes and every relay counts
// its sockets into presence again. Out of reach, each relay keeps serving its own
// sockets from the store, and SIGTERM still stops a relay (exit 0) in bounded time
// instead of waiting for a Redis that does not answer.
import { describe, expect, it } from 'vitest';
import { useRelayCluster } from '../helpers/relay-cluster';
import { befriend, call, inviteAndAccept, ok, signUp, sleep, waitFor } from '../helpers/clients';

const cluster = useRelayCluster(2);
const url = (i: number): string => cluster.relays[i]!.url;

describe('several relays as one: Redis restarted or down', () => {
  it('after a Redis restart, messages cross relays again and presence is whole again', async () => {
    const a = await signUp(url(0), 'a');
    const b = await signUp(url(1), 'b');
    await befriend(a, b);
    const chat = await inviteAndAccept(a, b);
    await cluster.redis.restart();

    // delivery resumes: each try is a new message, until one reaches b on the other relay
    let delivered = false;
    for (let i = 0; i < 10 && !delivered; i++) {
      const got = waitFor(b.socket, 'chat:message', (p) => p.message.clientMsgId === `r${i}`, 1000).then(
        () => true,
        () => false,
      );
      await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: `r${i}`, body: 'after the restart' });
      delivered = await got;
    }
    expect(delivered).toBe(true);

    // the relays count their sockets into the empty Redis again (heartbeat, 2 s)
    const started = Date.now();
    let online = false;
    while (!online && Date.now() - started < 10_000) {
      online = (await ok(a.socket, 'friends:list', {})).friends.some((f) => f.id === b.user.id && f.online);
      if (!online) await sleep(200);
    }
    expect(online).toBe(true);
    // past the presence check (not not_online): refused only as the pair's chat exists
    const invite = await call(a.socket, 'invite:create', { to: b.user.username });
    expect(invite.ok ? 'ok' : invite.error.code).toBe('duplicate_members');
    for (const s of [a.socket, b.socket]) s.close();
  }, 60_000);

  it('the relays serve their own sockets, and SIGTERM exits 0 within 15 s', async () => {
    const a = await signUp(url(0), 'a');
    const b = await signUp(url(1), 'b');
    await befriend(a, b);
    const chat = await inviteAndAccept(a, b);
    await cluster.redis.stop();

    const sent = await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'while-down', body: 'stored all the same' });
    const history = await ok(b.socket, 'chat:history', { chatId: chat.id });
    expect(history.messages.map((m) => m.id)).toContain(sent.message.id);

    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((res) => (timer = setTimeout(() => res('late'), 15_000)));
    const code = await Promise.race([cluster.relays[0]!.stop(), late]);
    clearTimeout(timer);
    expect(code).toBe(0);
    for (const s of [a.socket, b.socket]) s.close();
  }, 60_000);
});
