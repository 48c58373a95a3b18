// Several relays as one, for limits: a user's chat:send budget and a username's
// sign-in attempts are counted across every relay (in Redis), so reaching two relays
// does not double them.
import { describe, expect, it } from 'vitest';
import { call, connect, register, type TestSocket } from '../helpers/clients';
import { httpPost } from '../helpers/fault-sockets';
import { useRelayCluster } from '../helpers/relay-cluster';
import { closeAll, directPair } from '../helpers/scenarios';

const cluster = useRelayCluster(2, { SEND_RATE_PER_SECOND: '2', SEND_BURST: '10', LOGIN_ATTEMPTS: '4' });

describe('several relays as one: limits', () => {
  it("a user's chat:send burst is one budget across relays", async () => {
    const [r1, r2] = cluster.relays as [(typeof cluster.relays)[0], (typeof cluster.relays)[0]];
    const { a, b, chat } = await directPair(r1.url);
    const onR2: TestSocket = await connect(r2.url, a.token);
    try {
      const sends = (socket: TestSocket, tag: string) =>
        Array.from({ length: 15 }, (_, i) => call(socket, 'chat:send', { chatId: chat.id, clientMsgId: `${tag}-${i}`, body: `${tag} ${i}` }));
      const results = await Promise.all([...sends(a.socket, 'r1'), ...sends(onR2, 'r2')]);
      const accepted = results.filter((r) => r.ok).length;
      // 10 of burst, plus at most what the 2/s rate refills while they are counted.
      expect(accepted).toBeGreaterThanOrEqual(10);
      expect(accepted).toBeLessThanOrEqual(14);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'rate_limited')).toBe(true);
    } finally {
      onR2.close();
      closeAll(a, b);
    }
  });

  it("a username's failed sign-ins are counted across relays", async () => {
    const [r1, r2] = cluster.relays as [(typeof cluster.relays)[0], (typeof cluster.relays)[0]];
    const { user } = await register(r1.url);
    const login = (url: string, password: string) =>
      httpPost(url, '/api/login', JSON.stringify({ username: user.username, password }), { 'content-type': 'application/json' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(r1.url, `wrong password ${i}`)).status);
    for (let i = 0; i < 3; i++) statuses.push((await login(r2.url, `wrong password ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});
