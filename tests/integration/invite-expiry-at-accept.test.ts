// Rule 6 at the moment of acceptance: an invite whose time has passed is expired even
// when the relay's sweep has not closed it yet. The rules run here directly over a real
// SQLite store, with a clock the test moves, so no sweep can get there first and the
// expiry check in acceptInvite itself is what answers (relay-invite-expiry.test.ts
// covers the sweep, through a real relay).
import { describe, expect, it } from 'vitest';
import { newId, type RuleContext } from '../../relay/chat/context';
import { RelayError } from '../../relay/chat/errors';
import { acceptFriend, requestFriend } from '../../relay/chat/friends';
import { acceptInvite, createInvite, listInvites, rejectInvite } from '../../relay/chat/invites';
import { MembershipCache } from '../../relay/chat/membership';
import { UserDirectory } from '../../relay/chat/users';
import { Presence } from '../../relay/presence';
import type { Store } from '../../relay/store/types';
import type { User } from '../../protocol/types';
import { useTempSqlite } from '../helpers/temp-sqlite';

const TTL_MS = 60_000;
const sqlite = useTempSqlite('expiry-at-accept-');

async function world(): Promise<{ ctx: RuleContext; clock: { now: Date }; ann: User; bob: User; store: Store }> {
  const store = await sqlite.open();
  const clock = { now: new Date('2026-03-01T10:00:00.000Z') };
  const presence = new Presence();
  const ctx: RuleContext = {
    store,
    presence,
    users: new UserDirectory(store),
    membership: new MembershipCache(store, null),
    now: () => clock.now,
    newId,
    inviteTtlMs: TTL_MS,
  };
  const make = async (username: string): Promise<User> => {
    const rec = await store.createUser({ id: newId(), username, displayName: username, createdAt: clock.now.toISOString() }, 'aa', 'bb');
    if (!rec) throw new Error('taken');
    await presence.connected(rec.id);
    return { id: rec.id, username: rec.username, displayName: rec.displayName };
  };
  const ann = await make('ann');
  const bob = await make('bob');
  await requestFriend(ctx, ann, 'bob');
  await acceptFriend(ctx, bob, 'ann');
  return { ctx, clock, ann, bob, store };
}

async function refusal(p: Promise<unknown>): Promise<RelayError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RelayError) return e;
    throw e;
  }
  throw new Error('expected a refusal, got success');
}

describe('an invite past its time, before any sweep (rule 6)', () => {
  it('accepting it answers invite_closed, closes it as expired for both, and creates no chat', async () => {
    const { ctx, clock, ann, bob, store } = await world();
    const { result } = await createInvite(ctx, ann, { to: 'bob' });
    clock.now = new Date(clock.now.getTime() + TTL_MS + 1);

    const err = await refusal(acceptInvite(ctx, bob, result.invite.id));
    expect(err.code).toBe('invite_closed');
    // Both ends hear it closed, once, as expired.
    expect(err.emits).toEqual([expect.objectContaining({ event: 'invite:closed', payload: expect.objectContaining({ inviteId: result.invite.id, status: 'expired' }) })]);
    expect(new Set(err.emits?.[0]?.to)).toEqual(new Set([ann.id, bob.id]));
    expect((await store.getInvite(result.invite.id))?.status).toBe('expired');
    expect(await store.chatsOf(bob.id)).toEqual([]);

    // Closed for good: later answers are invite_closed and announce nothing again.
    const again = await refusal(rejectInvite(ctx, bob, result.invite.id));
    expect(again.code).toBe('invite_closed');
    expect(again.emits ?? []).toEqual([]);
    expect(await listInvites(ctx, bob)).toMatchObject({ incoming: [], outgoing: [] });
  });

  it('one millisecond before its time it is accepted', async () => {
    const { ctx, clock, ann, bob } = await world();
    const { result } = await createInvite(ctx, ann, { to: 'bob' });
    clock.now = new Date(clock.now.getTime() + TTL_MS - 1);
    const { result: accepted } = await acceptInvite(ctx, bob, result.invite.id);
    expect(accepted.chat.members.map((m) => m.id).sort()).toEqual([ann.id, bob.id].sort());
  });
});
