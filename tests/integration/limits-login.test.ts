// Login brute force: after 10 failed sign-ins for a username within the window, the
// next attempt answers 429 rate_limited, even with the right password; other users
// sign in as usual. Parallel guesses must not slip past the count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../helpers/clients';
import { httpPost } from '../helpers/fault-sockets';
import { startRelay, type RelayProcess } from '../helpers/relay-process';

const PASSWORD = 'correct horse';
let relay: RelayProcess;
beforeAll(async () => {
  // the limit is a setting (default 20 per 15 min); 10 here keeps the test short. The
  // cap on hashes waiting (limits-http-flood.test.ts) is lifted so that every one of the
  // 40 parallel guesses below meets this per-username count, not that cap.
  relay = await startRelay({ env: { LOGIN_ATTEMPTS: '10', MAX_PASSWORD_HASHES: '100' } });
});
afterAll(async () => {
  await relay?.stop();
  relay?.cleanup();
});

const login = (username: string, password: string) =>
  httpPost(relay.url, '/api/login', JSON.stringify({ username, password }), { 'content-type': 'application/json' });

describe('login brute force', () => {
  it('the 11th attempt after 10 wrong passwords is 429 rate_limited, even with the right password', async () => {
    const { user } = await register(relay.url, undefined, PASSWORD);
    const bystander = await register(relay.url, undefined, PASSWORD);
    for (let i = 0; i < 10; i++) {
      const res = await login(user.username, `wrong password ${i}`);
      expect(res.status, `attempt ${i + 1}: ${res.text}`).toBe(401);
      expect((res.json as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const right = await login(user.username, PASSWORD);
    expect(right.status, right.text).toBe(429);
    expect((right.json as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(right.text).not.toContain('token');
    // the same name in other letter case is the same account
    expect((await login(user.username.toUpperCase(), PASSWORD)).status).toBe(429);
    expect((await login(user.username, 'yet another guess')).status).toBe(429);
    // nobody else is locked out
    expect((await login(bystander.user.username, PASSWORD)).status).toBe(200);
  });

  it('40 wrong passwords sent at once get at most 10 tries at the password', async () => {
    const { user } = await register(relay.url, undefined, PASSWORD);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login(user.username, `parallel guess ${i}`)));
    const statuses = results.map((r) => r.status);
    const tried = statuses.filter((s) => s === 401).length;
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(tried).toBeLessThanOrEqual(10);
    expect((await login(user.username, PASSWORD)).status).toBe(429);
  });
});
