// Invites (rules 2-6): who may be invited, into what, what acceptance produces, and
// the refusals (already_member, duplicate_members, already_invited) that are checked
// at invite time and again at acceptance.
import type { Chat, ChatKind, Invite, InviteListResult, User } from '../../protocol/types';
import type { ChatRecord, InviteRecord, MessageRecord } from '../store/types';
import { emit, type AnyEmit, type Outcome, type RuleContext } from './context';
import { RelayError, notFound } from './errors';
import { chatOfMember, toWireChat, toWireMessages } from './chats';
import { closedEvent } from './invite-closing';

export const pairKeyOf = (a: string, b: string): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

/** What accepting an invite would produce, worked out from the chats as read now. */
interface Plan {
  kind: ChatKind;
  /** The chat that gains the invitee, with its members as read; null when a chat is created. */
  into: { chatId: string; memberIds: string[] } | null;
  /** A new group copies a direct chat's members: that chat as read. */
  forkedFrom: { chatId: string; memberIds: string[] } | null;
  /** The member set the resulting chat will have. */
  memberIds: string[];
  targetKey: string;
  /** The chat's members at invite time, for the Invite shape. */
  snapshot: string[];
}

async function planFor(ctx: RuleContext, fromId: string, toId: string, chatId: string | null): Promise<Plan> {
  if (chatId === null) {
    const pairKey = pairKeyOf(fromId, toId);
    const direct = await ctx.store.findDirectChat(pairKey);
    const into = direct ? { chatId: direct.id, memberIds: direct.memberIds } : null;
    return { kind: 'direct', into, forkedFrom: null, memberIds: [fromId, toId], targetKey: `pair:${pairKey}`, snapshot: [fromId] };
  }
  const chat = await chatOfMember(ctx, chatId, fromId);
  if (chat.memberIds.includes(toId)) throw new RelayError('already_member', 'already a member of this chat');
  const memberIds = [...chat.memberIds, toId];
  const asRead = { chatId: chat.id, memberIds: chat.memberIds };
  if (chat.kind === 'group') return { kind: 'group', into: asRead, forkedFrom: null, memberIds, targetKey: `chat:${chat.id}`, snapshot: chat.memberIds };
  // a direct chat: its own pair comes back into it; anyone else forks a new group
  if (chat.pairKey === pairKeyOf(fromId, toId)) return { kind: 'direct', into: asRead, forkedFrom: null, memberIds, targetKey: `pair:${chat.pairKey}`, snapshot: chat.memberIds };
  return { kind: 'group', into: null, forkedFrom: asRead, memberIds, targetKey: `chat:${chat.id}`, snapshot: chat.memberIds };
}

async function refuseDuplicate(ctx: RuleContext, memberIds: string[]): Promise<void> {
  const existing = await ctx.store.findChatByMembers(memberIds);
  if (existing) throw duplicateOf(existing.id);
}

const duplicateOf = (chatId: string): RelayError => new RelayError('duplicate_members', 'a chat with exactly these members exists already', chatId);

/**
 * How often an accept plans again when the store finds that what the plan was made
 * from changed meanwhile (another relay's join or leave). Each retry follows a change
 * that was committed, so running out takes a storm of membership changes to one chat.
 */
const MAX_ACCEPT_PLANS = 8;

export async function toWireInvite(ctx: RuleContext, i: InviteRecord): Promise<Invite> {
  const [from, to] = await ctx.users.many([i.fromId, i.toId]);
  return {
    id: i.id,
    from: from!,
    to: to!,
    chatId: i.chatId,
    kind: i.kind,
    members: await ctx.users.many(i.memberIds),
    status: i.status,
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
  };
}

export async function createInvite(ctx: RuleContext, me: User, p: { to: string; chatId?: string }): Promise<Outcome<{ invite: Invite }>> {
  const to = await ctx.store.getUserByUsername(p.to);
  if (!to) throw new RelayError('not_found', `no user named ${p.to}`);
  if (to.id === me.id) throw new RelayError('bad_request', 'you cannot invite yourself');
  ctx.users.remember(to);
  const plan = await planFor(ctx, me.id, to.id, p.chatId ?? null);
  if ((await ctx.store.friendState(me.id, to.id)) !== 'friends') throw new RelayError('not_friends', `${to.username} is not your friend`);
  if (!(await ctx.presence.isOnline(to.id))) throw new RelayError('not_online', `${to.username} is not online`);
  await refuseDuplicate(ctx, plan.memberIds);
  if (await ctx.store.findPendingInvite(me.id, to.id, plan.targetKey)) throw new RelayError('already_invited', `you have already invited ${to.username}`);

  const now = ctx.now();
  const record: InviteRecord = {
    id: ctx.newId(),
    fromId: me.id,
    toId: to.id,
    chatId: p.chatId ?? null,
    kind: plan.kind,
    targetKey: plan.targetKey,
    memberIds: plan.snapshot,
    status: 'pending',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ctx.inviteTtlMs).toISOString(),
  };
  const created = await ctx.store.createInvite(record);
  // both only when another relay changed things since the checks above
  if (created === 'already_invited') throw new RelayError('already_invited', `you have already invited ${to.username}`);
  if (created === 'gone') throw notFound('chat');
  const invite = await toWireInvite(ctx, record);
  return { result: { invite }, emits: [emit([to.id], 'invite:received', { invite })] };
}

async function pendingInviteFor(ctx: RuleContext, me: User, inviteId: string, role: 'invitee' | 'inviter'): Promise<InviteRecord> {
  const invite = await ctx.store.getInvite(inviteId);
  if (!invite) throw notFound('invite');
  const owner = role === 'invitee' ? invite.toId : invite.fromId;
  if (owner !== me.id) throw new RelayError('forbidden', `only the ${role} may do that`);
  if (invite.status !== 'pending') throw new RelayError('invite_closed', `the invite is ${invite.status}`);
  // the sweep may not have run yet: an invite past its time is expired all the same
  if (invite.expiresAt <= ctx.now().toISOString()) {
    const emits = (await ctx.store.closeInvite(invite.id, 'expired')) ? [closedEvent(invite, 'expired')] : [];
    const err = new RelayError('invite_closed', 'the invite has expired');
    err.emits = emits;
    throw err;
  }
  return invite;
}

/** Closes the invite as cancelled and fails the accept with the refusal that caused it. */
async function cancelWith(ctx: RuleContext, invite: InviteRecord, err: RelayError): Promise<never> {
  if (await ctx.store.closeInvite(invite.id, 'cancelled')) err.emits = [closedEvent(invite, 'cancelled')];
  throw err;
}

export async function acceptInvite(ctx: RuleContext, me: User, inviteId: string): Promise<Outcome<{ chat: Chat }>> {
  for (let attempt = 1; ; attempt++) {
    const invite = await pendingInviteFor(ctx, me, inviteId, 'invitee');
    let plan: Plan;
    try {
      plan = await planFor(ctx, invite.fromId, invite.toId, invite.chatId);
    } catch (e) {
      // the inviter left or the chat is gone (should have closed it already) -> invite_closed
      const err = e instanceof RelayError && e.code !== 'not_found' ? e : new RelayError('invite_closed', 'the chat of this invite is gone');
      return cancelWith(ctx, invite, err);
    }
    const now = ctx.now();
    const committed = await ctx.store.acceptInvite({
      inviteId,
      now: now.toISOString(),
      into: plan.into,
      forkedFrom: plan.forkedFrom,
      create: plan.into
        ? null
        : { id: ctx.newId(), kind: plan.kind, pairKey: plan.kind === 'direct' ? pairKeyOf(invite.fromId, invite.toId) : null, createdAt: now.toISOString() },
      memberIds: plan.memberIds,
    });
    switch (committed.outcome) {
      case 'stale':
        if (attempt < MAX_ACCEPT_PLANS) continue;
        throw new Error(`invite ${inviteId}: its chat kept changing while being accepted`);
      case 'closed':
        throw new RelayError('invite_closed', `the invite is ${committed.status}`);
      case 'expired': {
        const err = new RelayError('invite_closed', 'the invite has expired');
        err.emits = [closedEvent(committed.invite, 'expired')];
        throw err;
      }
      case 'duplicate': {
        const err = duplicateOf(committed.chatId);
        err.emits = [closedEvent(committed.invite, 'cancelled')];
        throw err;
      }
      case 'accepted':
        return acceptedOutcome(ctx, me, invite, committed.chat, committed.before, committed.entries);
    }
  }
}

async function acceptedOutcome(
  ctx: RuleContext,
  me: User,
  invite: InviteRecord,
  chat: ChatRecord,
  before: string[],
  entries: MessageRecord[],
): Promise<Outcome<{ chat: Chat }>> {
  ctx.membership.forget(chat.id);
  const joined = chat.memberIds.filter((id) => !before.includes(id));
  const stayed = chat.memberIds.filter((id) => before.includes(id));
  const emits: AnyEmit[] = [closedEvent(invite, 'accepted', chat.id)];
  for (const id of joined) emits.push(emit([id], 'chat:joined', { chat: await toWireChat(ctx, chat, await ctx.store.getReadSeq(chat.id, id)) }));
  if (stayed.length) {
    for (const message of await toWireMessages(ctx, entries)) {
      emits.push(emit(stayed, 'chat:member', { chatId: chat.id, user: message.sender, change: 'joined', message }));
    }
  }
  return { result: { chat: await toWireChat(ctx, chat, await ctx.store.getReadSeq(chat.id, me.id)) }, emits };
}

export async function rejectInvite(ctx: RuleContext, me: User, inviteId: string): Promise<Outcome<Record<string, never>>> {
  const invite = await pendingInviteFor(ctx, me, inviteId, 'invitee');
  if (!(await ctx.store.closeInvite(invite.id, 'rejected'))) throw new RelayError('invite_closed', 'the invite was closed');
  return { result: {}, emits: [closedEvent(invite, 'rejected')] };
}

export async function cancelInvite(ctx: RuleContext, me: User, inviteId: string): Promise<Outcome<Record<string, never>>> {
  const invite = await pendingInviteFor(ctx, me, inviteId, 'inviter');
  if (!(await ctx.store.closeInvite(invite.id, 'cancelled'))) throw new RelayError('invite_closed', 'the invite was closed');
  return { result: {}, emits: [closedEvent(invite, 'cancelled')] };
}

export async function listInvites(ctx: RuleContext, me: User): Promise<InviteListResult> {
  const { incoming, outgoing } = await ctx.store.pendingInvitesOf(me.id);
  const now = ctx.now().toISOString();
  const live = (i: InviteRecord) => i.expiresAt > now;
  return {
    incoming: await Promise.all(incoming.filter(live).map((i) => toWireInvite(ctx, i))),
    outgoing: await Promise.all(outgoing.filter(live).map((i) => toWireInvite(ctx, i))),
  };
}
