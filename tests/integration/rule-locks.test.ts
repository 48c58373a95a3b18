// Friend and invite rules are serialised per user and chat, not per relay: one user's
// slow request never holds up another's, while two requests about the same users still
// run one after the other. A real relay runs in this process so the test can slow one
// store call down for one user (the `wrapStore` seam); everything else is real.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/app';
import { loadConfig } from '../../relay/config';
import { createLogger } from '../../relay/log';
import type { Store } from '../../relay/store/types';
import { call, type TestUser } from '../helpers/clients';
import { closeAll, users } from '../helpers/scenarios';

const SLOW_MS = 1500;
/** Users whose friendState lookups take SLOW_MS. */
const slowUsers = new Set<string>();

function slowFriendState(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'friendState') {
        return async (a: string, b: string) => {
          if (slowUsers.has(a)) await new Promise((r) => setTimeout(r, SLOW_MS));
          return target.friendState(a, b);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let relay: Relay;
let url: string;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rule-locks-'));
  // invites live 1 s, so the invite-expiry sweep runs every 250 ms: one runs while Ann's request is slow
  relay = await createRelay(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'silent', INVITE_TTL_SECONDS: '1' }), createLogger('silent'), {
    wrapStore: slowFriendState,
  });
  await new Promise<void>((r) => relay.server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(relay.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await relay?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends a request and resolves with when its answer came (order, not duration: the
 * machine may be busy, and what matters is which answer had to wait for which). */
async function timed(u: TestUser, username: string): Promise<{ ok: boolean; at: number }> {
  const res = await call(u.socket, 'friends:request', { username });
  return { ok: res.ok, at: performance.now() };
}

describe('rules serialised per user and chat', () => {
  it("one user's slow friend request does not hold up another's, and two of the same user's run in turn", async () => {
    const [ann, bob, cat, dan, eve] = (await users(url, ['lk_ann', 'lk_bob', 'lk_cat', 'lk_dan', 'lk_eve'])) as TestUser[];
    slowUsers.add(ann!.user.id);
    try {
      const sentAt = performance.now();
      const annToCat = timed(ann!, cat!.user.username);
      // Ann's request is in, and slow; an invite-expiry sweep has come meanwhile, which
      // must not make Bob's request wait for Ann's
      await new Promise((r) => setTimeout(r, 300));
      const bobToDan = await timed(bob!, dan!.user.username);
      // Eve asking Ann shares Ann's key: it waits for Ann's request to finish.
      const eveToAnn = timed(eve!, ann!.user.username);
      const ann1 = await annToCat;
      const eve1 = await eveToAnn;
      expect([ann1.ok, bobToDan.ok, eve1.ok]).toEqual([true, true, true]);
      expect(ann1.at - sentAt).toBeGreaterThanOrEqual(SLOW_MS);
      // Bob's request touches none of Ann's users: answered while hers is still slow.
      expect(bobToDan.at).toBeLessThan(ann1.at);
      // Eve's fast request is answered only after Ann's slow one.
      expect(eve1.at).toBeGreaterThanOrEqual(ann1.at);
    } finally {
      slowUsers.clear();
      closeAll(ann!, bob!, cat!, dan!, eve!);
    }
  });
});
