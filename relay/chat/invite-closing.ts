// Closing invites from pending, once: only the caller whose compare-and-set wins tells
// both ends, so two closers (an accept racing the expiry sweep) never both announce.
import type { InviteStatus } from '../../protocol/types';
import type { InviteRecord } from '../store/types';
import { emit, type AnyEmit, type RuleContext } from './context';

export function closedEvent(invite: InviteRecord, status: InviteStatus, chatId: string | null = invite.chatId): AnyEmit {
  const payload = chatId ? { inviteId: invite.id, status, chatId } : { inviteId: invite.id, status };
  return emit([invite.fromId, invite.toId], 'invite:closed', payload);
}

/** The expiry sweep: every pending invite past its expiresAt closes as expired. */
export async function expireDue(ctx: RuleContext): Promise<AnyEmit[]> {
  const due = await ctx.store.expireInvites(ctx.now().toISOString());
  return due.map((i) => closedEvent(i, 'expired'));
}
