// Friend requests and friendships (docs/protocol.md: friends:* events).
import type { FriendsListResult, Member, User } from '../../protocol/types';
import type { UserRecord } from '../store/types';
import { emit, type Outcome, type RuleContext } from './context';
import { RelayError } from './errors';

async function otherUser(ctx: RuleContext, me: User, username: string): Promise<UserRecord> {
  const other = await ctx.store.getUserByUsername(username);
  if (!other) throw new RelayError('not_found', `no user named ${username}`);
  if (other.id === me.id) throw new RelayError('bad_request', 'you cannot befriend yourself');
  ctx.users.remember(other);
  return other;
}

const asMember = async (ctx: RuleContext, u: User): Promise<Member> => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  online: await ctx.presence.isOnline(u.id),
});

export async function listFriends(ctx: RuleContext, me: User): Promise<FriendsListResult> {
  const lists = await ctx.store.friendLists(me.id);
  return {
    friends: await ctx.users.members(lists.friendIds, ctx.presence),
    incoming: await ctx.users.many(lists.incomingIds),
    outgoing: await ctx.users.many(lists.outgoingIds),
  };
}

async function befriended(ctx: RuleContext, me: User, other: User): Promise<Outcome<{ friend: Member }>> {
  const friend = await asMember(ctx, other);
  return {
    result: { friend },
    emits: [emit([me.id], 'friend:added', { friend }), emit([other.id], 'friend:added', { friend: await asMember(ctx, me) })],
  };
}

/** Asking someone who already asked you makes you friends at once. */
export async function requestFriend(ctx: RuleContext, me: User, username: string): Promise<Outcome<Record<string, never>>> {
  const other = await otherUser(ctx, me, username);
  const state = await ctx.store.friendState(me.id, other.id);
  if (state === 'friends') throw new RelayError('already_friends', `you and ${other.username} are friends already`);
  if (state === 'incoming') {
    await ctx.store.makeFriends(me.id, other.id);
    return { result: {}, emits: (await befriended(ctx, me, ctx.users.remember(other))).emits };
  }
  // asking twice is harmless: the request simply stands
  if (state === 'outgoing') return { result: {}, emits: [] };
  await ctx.store.addFriendRequest(me.id, other.id);
  return { result: {}, emits: [emit([other.id], 'friend:request', { from: me })] };
}

export async function acceptFriend(ctx: RuleContext, me: User, username: string): Promise<Outcome<{ friend: Member }>> {
  const other = await otherUser(ctx, me, username);
  const state = await ctx.store.friendState(me.id, other.id);
  if (state === 'friends') throw new RelayError('already_friends', `you and ${other.username} are friends already`);
  if (state !== 'incoming') throw new RelayError('not_found', `no friend request from ${other.username}`);
  await ctx.store.makeFriends(me.id, other.id);
  return befriended(ctx, me, ctx.users.remember(other));
}

export async function declineFriend(ctx: RuleContext, me: User, username: string): Promise<Outcome<Record<string, never>>> {
  const other = await otherUser(ctx, me, username);
  if (!(await ctx.store.removeFriendRequest(other.id, me.id))) throw new RelayError('not_found', `no friend request from ${other.username}`);
  return { result: {}, emits: [] };
}

/**
 * Ends a friendship, or withdraws your own pending request to that user. Chats are
 * untouched (rule 2).
 */
export async function removeFriend(ctx: RuleContext, me: User, username: string): Promise<Outcome<Record<string, never>>> {
  const other = await otherUser(ctx, me, username);
  if (await ctx.store.removeFriendship(me.id, other.id)) {
    return { result: {}, emits: [emit([me.id], 'friend:removed', { userId: other.id }), emit([other.id], 'friend:removed', { userId: me.id })] };
  }
  if (await ctx.store.removeFriendRequest(me.id, other.id)) return { result: {}, emits: [] };
  throw new RelayError('not_friends', `you and ${other.username} are not friends`);
}
