// Presence across three relays joined through Redis (rule 1): a user is online while
// any socket of theirs is connected to any relay, `presence` is sent only when that
// global state changes, and invites consult it (not_online only when offline everywhere).
import { describe, expect, it } from 'vitest';
import type { ServerPayloads } from '../../protocol/types';
import { useRelayCluster } from '../helpers/relay-cluster';
import { befriend, call, connect, ok, record, signUp, sleep, waitFor } from '../helpers/clients';

const cluster = useRelayCluster(3);
const url = (i: number): string => cluster.relays[i]!.url;

/** Long enough for an event from another relay to arrive, were one sent. */
const QUIET_MS = 500;

describe('several relays as one: presence', () => {
  it('online while any socket on any relay is connected; presence only on the global edges', async () => {
    const watcher = await signUp(url(0), 'w');
    const b = await signUp(url(1), 'b');
    await befriend(watcher, b);
    b.socket.close();
    const offline = await waitFor(watcher.socket, 'presence', (p) => p.user.id === b.user.id);
    expect(offline.online).toBe(false);

    const seen: ServerPayloads['presence'][] = record(watcher.socket, 'presence');
    const ofB = () => seen.filter((p) => p.user.id === b.user.id).map((p) => p.online);
    const notOnline = async () => {
      const res = await call(watcher.socket, 'invite:create', { to: b.user.username });
      return res.ok ? 'ok' : res.error.code;
    };
    expect(await notOnline()).toBe('not_online');

    // first socket anywhere: one online edge, and the friends list agrees on every relay
    const first = await connect(url(2), b.token);
    await waitFor(watcher.socket, 'presence', (p) => p.user.id === b.user.id && p.online);
    const fromRelay1 = await connect(url(1), watcher.token);
    const { friends } = await ok(fromRelay1, 'friends:list', {});
    expect(friends.find((f) => f.id === b.user.id)?.online).toBe(true);
    fromRelay1.close();

    // more sockets on other relays, and the first one leaving: no edge, no event
    const second = await connect(url(1), b.token);
    const third = await connect(url(0), b.token);
    first.close();
    await sleep(QUIET_MS);
    expect(ofB()).toEqual([true]);

    // invites go through while b is online on some relay
    const received = waitFor(second, 'invite:received');
    const { invite } = await ok(watcher.socket, 'invite:create', { to: b.user.username });
    await received;
    await ok(watcher.socket, 'invite:cancel', { inviteId: invite.id });

    // the last socket leaving, on yet another relay: one offline edge
    second.close();
    await sleep(QUIET_MS);
    expect(ofB()).toEqual([true]);
    third.close();
    await waitFor(watcher.socket, 'presence', (p) => p.user.id === b.user.id && !p.online);
    await sleep(QUIET_MS);
    expect(ofB()).toEqual([true, false]);
    expect(await notOnline()).toBe('not_online');
    watcher.socket.close();
  });

  it('sockets of one user coming and going on several relays at once end in one consistent state', async () => {
    const watcher = await signUp(url(0), 'w');
    const b = await signUp(url(1), 'b');
    await befriend(watcher, b);
    const seen = record(watcher.socket, 'presence');
    // churn: connect and close sockets on all three relays concurrently, one stays
    const stays = await connect(url(2), b.token);
    for (let round = 0; round < 3; round++) {
      const sockets = await Promise.all([0, 1, 2].map((i) => connect(url(i), b.token)));
      for (const s of sockets) s.close();
    }
    b.socket.close();
    await sleep(QUIET_MS * 2);
    // b never went offline: every socket but one left, never the last
    expect(seen.filter((p) => p.user.id === b.user.id && !p.online)).toEqual([]);
    const { friends } = await ok(watcher.socket, 'friends:list', {});
    expect(friends.find((f) => f.id === b.user.id)?.online).toBe(true);
    stays.close();
    await waitFor(watcher.socket, 'presence', (p) => p.user.id === b.user.id && !p.online);
    watcher.socket.close();
  });

  it('the users of a relay killed by SIGKILL show offline for the others within 30 s', async () => {
    const doomed = await cluster.add();
    const watcher = await signUp(url(0), 'w');
    const onlyThere = await signUp(doomed.url, 'k');
    const alsoElsewhere = await signUp(doomed.url, 'e');
    const elsewhere = await connect(url(1), alsoElsewhere.token);
    await befriend(watcher, onlyThere);
    await befriend(watcher, alsoElsewhere);
    const seen = record(watcher.socket, 'presence');

    const killedAt = Date.now();
    await doomed.kill();
    const off = await waitFor(watcher.socket, 'presence', (p) => p.user.id === onlyThere.user.id, 30_000);
    const took = Date.now() - killedAt;
    expect(off.online).toBe(false);
    expect(took).toBeLessThan(30_000);
    const res = await call(watcher.socket, 'invite:create', { to: onlyThere.user.username });
    expect(res.ok ? 'ok' : res.error.code).toBe('not_online');

    // a user with a socket on a surviving relay stays online, with no event
    await sleep(QUIET_MS);
    expect(seen.filter((p) => p.user.id === alsoElsewhere.user.id)).toEqual([]);
    const { friends } = await ok(watcher.socket, 'friends:list', {});
    expect(friends.find((f) => f.id === alsoElsewhere.user.id)?.online).toBe(true);
    elsewhere.close();
    watcher.socket.close();
  }, 60_000);
});
