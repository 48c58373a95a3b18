// Rule 6: a pending invite expires after INVITE_TTL_SECONDS (3 s here: long enough that a
// loaded machine's delays cannot pass for the expiry); both ends hear invite:closed
// expired and a late accept or reject is invite_closed.
import { describe, expect, it } from 'vitest';
import { useRelay } from '../helpers/use-relay';
import { befriend, call, ok, waitFor } from '../helpers/clients';
import { closeAll, expectError, users } from '../helpers/scenarios';

const TTL_MS = 3000;
const relay = useRelay({ env: { INVITE_TTL_SECONDS: String(TTL_MS / 1000) } });

describe('invite expiry (rule 6)', () => {
  it('expiresAt is createdAt + INVITE_TTL_SECONDS', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const { invite } = await ok(a!.socket, 'invite:create', { to: b!.user.username });
    const ttl = Date.parse(invite.expiresAt) - Date.parse(invite.createdAt);
    expect(ttl).toBe(TTL_MS);
    closeAll(a!, b!);
  });

  it('invite:closed expired reaches both ends; accept and reject afterwards are invite_closed; nothing is created', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const closed = Promise.all([a!, b!].map((u) => waitFor(u.socket, 'invite:closed', () => true, TTL_MS + 5000)));
    const { invite } = await ok(a!.socket, 'invite:create', { to: b!.user.username });
    for (const c of await closed) expect(c).toMatchObject({ inviteId: invite.id, status: 'expired' });
    // not before its time, by the relay's own clock
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(invite.expiresAt));
    expectError(await call(b!.socket, 'invite:accept', { inviteId: invite.id }), 'invite_closed');
    expectError(await call(b!.socket, 'invite:reject', { inviteId: invite.id }), 'invite_closed');
    expect((await ok(b!.socket, 'chat:list', {})).chats).toEqual([]);
    expect((await ok(a!.socket, 'chat:list', {})).chats).toEqual([]);
    const lists = [await ok(a!.socket, 'invite:list', {}), await ok(b!.socket, 'invite:list', {})];
    for (const l of lists) expect(l).toMatchObject({ incoming: [], outgoing: [] });
    closeAll(a!, b!);
  });

  it('an expired invite no longer blocks a new one (already_invited does not apply)', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const closed = waitFor(a!.socket, 'invite:closed', () => true, TTL_MS + 5000);
    await ok(a!.socket, 'invite:create', { to: b!.user.username });
    await closed;
    const received = waitFor(b!.socket, 'invite:received');
    const { invite } = await ok(a!.socket, 'invite:create', { to: b!.user.username });
    await received;
    const { chat } = await ok(b!.socket, 'invite:accept', { inviteId: invite.id });
    expect(chat.kind).toBe('direct');
    closeAll(a!, b!);
  });

  it('an invite accepted in time is not expired later', async () => {
    const [a, b] = await users(relay.url, ['a', 'b']);
    await befriend(a!, b!);
    const { invite } = await ok(a!.socket, 'invite:create', { to: b!.user.username });
    const closed: string[] = [];
    a!.socket.on('invite:closed', (p) => closed.push(p.status));
    await ok(b!.socket, 'invite:accept', { inviteId: invite.id });
    await new Promise((r) => setTimeout(r, TTL_MS + 1000));
    expect(closed).toEqual(['accepted']);
    expect((await ok(b!.socket, 'chat:list', {})).chats).toHaveLength(1);
    closeAll(a!, b!);
  });
});
