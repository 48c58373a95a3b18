// Pending chat invites, incoming and outgoing. They vanish on invite:closed, whatever
// closed them (accepted, rejected, cancelled, expired).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Invite, InviteStatus } from '../../protocol/types';
import { useBridge } from '../bridge/inject';
import { describeError } from '../app/describeError';
import { useRelayRequest } from './relayRequest';
import { useNoticesStore } from './notices';
import { useChatsStore } from './chats';
import { useSessionStore } from './session';

const CLOSED_TEXT: Partial<Record<InviteStatus, string>> = {
  rejected: 'declined your invite',
  expired: 'invite expired',
  cancelled: 'invite was cancelled',
};

export const useInvitesStore = defineStore('invites', () => {
  const request = useRelayRequest(useBridge());
  const notices = useNoticesStore();
  const incoming = ref<Invite[]>([]);
  const outgoing = ref<Invite[]>([]);
  /** The toast announcing each incoming invite, so it goes when the invite does. */
  const toasts = new Map<string, number>();

  async function load(): Promise<void> {
    const res = await request('invite:list', {});
    if (!res.ok) return;
    incoming.value = res.value.incoming;
    outgoing.value = res.value.outgoing;
  }

  /** Invite `to` into a new direct chat, or into `chatId`. */
  async function create(to: string, chatId?: string): Promise<boolean> {
    const res = await request('invite:create', chatId ? { to, chatId } : { to }, { quiet: true });
    if (res.ok) {
      received(res.value.invite, 'outgoing');
      return true;
    }
    const existing = res.error.chatId;
    if (res.error.code === 'duplicate_members' && existing) {
      const chats = useChatsStore();
      notices.error(describeError(res.error), [{ label: 'Open that chat', run: () => chats.open(existing) }]);
    } else {
      notices.error(describeError(res.error));
    }
    return false;
  }

  async function accept(inviteId: string): Promise<boolean> {
    const res = await request('invite:accept', { inviteId });
    drop(inviteId);
    if (!res.ok) return false;
    const chats = useChatsStore();
    chats.upsert(res.value.chat);
    chats.open(res.value.chat.id);
    return true;
  }

  async function reject(inviteId: string): Promise<void> {
    await request('invite:reject', { inviteId });
    drop(inviteId);
  }

  /** Invites this user is cancelling: the relay's invite:closed needs no toast for them. */
  const cancelling = new Set<string>();

  async function cancel(inviteId: string): Promise<void> {
    cancelling.add(inviteId);
    try {
      await request('invite:cancel', { inviteId });
      drop(inviteId);
    } finally {
      cancelling.delete(inviteId);
    }
  }

  function received(invite: Invite, side: 'incoming' | 'outgoing'): void {
    const list = side === 'incoming' ? incoming : outgoing;
    if (!list.value.some((i) => i.id === invite.id)) list.value = [...list.value, invite];
  }

  function drop(inviteId: string): void {
    const toast = toasts.get(inviteId);
    if (toast !== undefined) notices.dismiss(toast);
    toasts.delete(inviteId);
    incoming.value = incoming.value.filter((i) => i.id !== inviteId);
    outgoing.value = outgoing.value.filter((i) => i.id !== inviteId);
  }

  function closed(inviteId: string, status: InviteStatus): void {
    const mine = outgoing.value.find((i) => i.id === inviteId);
    const theirs = incoming.value.find((i) => i.id === inviteId);
    drop(inviteId);
    // Tell the inviter how it ended; an accepted invite speaks for itself (the chat opens).
    const text = CLOSED_TEXT[status];
    if (mine && text && !cancelling.has(inviteId)) notices.info(`${mine.to.displayName}: ${text}.`);
    if (theirs && text && status !== 'rejected') notices.info(`Invite from ${theirs.from.displayName}: ${text}.`);
  }

  function onReceived(invite: Invite): void {
    const me = useSessionStore().user;
    if (me && invite.from.id === me.id) return received(invite, 'outgoing');
    received(invite, 'incoming');
    const what = invite.kind === 'group' ? `a group chat with ${invite.members.map((m) => m.displayName).join(', ')}` : 'a chat';
    const toast = notices.invite(`${invite.from.displayName} invited you to ${what}.`, [
      { label: 'Accept', run: () => void accept(invite.id) },
      { label: 'Decline', run: () => reject(invite.id) },
    ]);
    toasts.set(invite.id, toast);
  }

  function reset(): void {
    toasts.clear();
    incoming.value = [];
    outgoing.value = [];
  }

  return { incoming, outgoing, load, create, accept, reject, cancel, closed, onReceived, reset };
});
