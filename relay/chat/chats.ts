// Chat membership, history, reading, typing and leaving (rules 3, 4, 7, 9).
import type { Chat, HistoryResult, Message, User } from '../../protocol/types';
import { HISTORY_LIMIT_DEFAULT } from '../../protocol/schemas';
import type { ChatRecord, MessageRecord } from '../store/types';
import { emit, type AnyEmit, type Outcome, type RuleContext } from './context';
import { notFound } from './errors';
import { closedEvent } from './invite-closing';

export async function toWireChat(ctx: RuleContext, chat: ChatRecord, readSeq: number): Promise<Chat> {
  return {
    id: chat.id,
    kind: chat.kind,
    members: await ctx.users.members(chat.memberIds, ctx.presence),
    createdAt: chat.createdAt,
    lastSeq: chat.lastSeq,
    readSeq,
  };
}

export async function toWireMessages(ctx: RuleContext, records: MessageRecord[]): Promise<Message[]> {
  const senders = new Map((await ctx.users.many([...new Set(records.map((m) => m.senderId))])).map((u) => [u.id, u]));
  return records.map((m) => ({
    id: m.id,
    chatId: m.chatId,
    seq: m.seq,
    kind: m.kind,
    sender: senders.get(m.senderId) ?? { id: m.senderId, username: 'unknown', displayName: 'unknown' },
    body: m.body,
    clientMsgId: m.clientMsgId,
    createdAt: m.createdAt,
  }));
}

/** The chat, if `userId` is a member now; a non-member cannot tell it exists (not_found). */
export async function chatOfMember(ctx: RuleContext, chatId: string, userId: string): Promise<ChatRecord> {
  const chat = await ctx.store.getChat(chatId);
  if (!chat || !chat.memberIds.includes(userId)) throw notFound('chat');
  return chat;
}

/** The chat's member ids, if `userId` is one of them (cached: the hot paths use this). */
export async function membersIfMember(ctx: RuleContext, chatId: string, userId: string): Promise<readonly string[]> {
  const members = await ctx.membership.membersOf(chatId, userId);
  if (!members || !members.includes(userId)) throw notFound('chat');
  return members;
}

export async function listChats(ctx: RuleContext, me: User): Promise<{ chats: Chat[] }> {
  const rows = await ctx.store.chatsOf(me.id);
  return { chats: await Promise.all(rows.map((r) => toWireChat(ctx, r.chat, r.readSeq))) };
}

export async function history(
  ctx: RuleContext,
  me: User,
  p: { chatId: string; before?: number; after?: number; limit?: number },
): Promise<HistoryResult> {
  await membersIfMember(ctx, p.chatId, me.id);
  const page = await ctx.store.history(p.chatId, { before: p.before, after: p.after, limit: p.limit ?? HISTORY_LIMIT_DEFAULT });
  return { messages: await toWireMessages(ctx, page.messages), hasMore: page.hasMore };
}

export async function typing(ctx: RuleContext, me: User, chatId: string): Promise<Outcome<Record<string, never>>> {
  const members = await membersIfMember(ctx, chatId, me.id);
  const others = members.filter((id) => id !== me.id);
  return { result: {}, emits: others.length ? [emit(others, 'chat:typing', { chatId, user: me })] : [] };
}

/** Read positions only move forward; the reader's other sockets hear the new one. */
export async function markRead(ctx: RuleContext, me: User, chatId: string, seq: number, socketId: string): Promise<Outcome<Record<string, never>>> {
  await membersIfMember(ctx, chatId, me.id);
  const before = await ctx.store.getReadSeq(chatId, me.id);
  const after = await ctx.store.markRead(chatId, me.id, seq);
  return { result: {}, emits: after > before ? [emit([me.id], 'chat:read', { chatId, seq: after }, socketId)] : [] };
}

/**
 * Leaving (rule 7). The store does it in one step: the leaver's pending invites toward
 * this chat close as cancelled (rule 6); a group left by its last member is deleted
 * with its messages and every invite still pending into it; a direct chat becomes
 * inactive and keeps its history.
 */
export async function leave(ctx: RuleContext, me: User, chatId: string): Promise<Outcome<Record<string, never>>> {
  const left = await ctx.store.leaveChat(chatId, me.id, ctx.now().toISOString());
  if (!left) throw notFound('chat');
  ctx.membership.forget(chatId);
  const emits: AnyEmit[] = [emit([me.id], 'chat:left', { chatId })];
  if (left.entry && left.chat.memberIds.length) {
    const [message] = await toWireMessages(ctx, [left.entry]);
    emits.push(emit(left.chat.memberIds, 'chat:member', { chatId, user: me, change: 'left', message: message! }));
  }
  for (const invite of left.cancelled) emits.push(closedEvent(invite, 'cancelled'));
  return { result: {}, emits };
}
