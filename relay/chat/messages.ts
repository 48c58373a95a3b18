// Sending (rule 8): the store allocates seq atomically with the insert; a resend
// with the same clientMsgId answers the original and delivers nothing new.
import type { Message, User } from '../../protocol/types';
import type { AppendResult } from '../store/types';
import { emit, type Outcome, type RuleContext } from './context';
import { notFound } from './errors';
import { membersIfMember } from './chats';

/**
 * Checks membership, then hands the message to the store before returning, so the
 * caller can keep one socket's messages in send order without waiting for each
 * write to be durable. `outcome` settles once the message is stored (or refused).
 */
export async function beginSend(
  ctx: RuleContext,
  me: User,
  p: { chatId: string; clientMsgId: string; body: string },
): Promise<{ outcome: Promise<Outcome<{ message: Message }>> }> {
  const members = await membersIfMember(ctx, p.chatId, me.id);
  const appended = ctx.store.appendMessage(
    { chatId: p.chatId, senderId: me.id, clientMsgId: p.clientMsgId, body: p.body, createdAt: ctx.now().toISOString() },
    ctx.newId(),
  );
  // No await between the store's answer and the emit: appends settle in seq order and
  // so must their deliveries (the sender is `me`, so nothing needs looking up).
  const outcome = appended.then(
    (a: AppendResult) => {
      // field by field rather than rest and spread: this runs for every message
      const r = a.message;
      const message: Message = { id: r.id, chatId: r.chatId, seq: r.seq, kind: r.kind, body: r.body, clientMsgId: r.clientMsgId, createdAt: r.createdAt, sender: me };
      if (a.duplicate) return { result: { message }, emits: [] };
      return { result: { message }, emits: [emit(members, 'chat:message', { message })] };
    },
    async (e: unknown) => {
      // the chat was deleted between the membership check and the write
      if (!(await ctx.store.getChat(p.chatId))) throw notFound('chat');
      throw e;
    },
  );
  return { outcome };
}
