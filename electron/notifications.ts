// Native notifications from the main process. What to show and what a click does are
// pure functions (unit-tested); Notifier glues them to a NotificationPort, which
// main.ts implements with Electron's Notification.
import type { Ack, Chat, Invite, Message, ServerEvent, ServerPayloads } from '../protocol/types';
import type { NotificationAction } from '../renderer/bridge/types';
import type { FocusedView } from './windows';

export type ClickAction = { kind: 'accept-invite'; inviteId: string } | { kind: 'open-chat'; chatId: string };

export interface NotificationSpec {
  /** Replaces an earlier notification with the same key (one per invite, one per chat). */
  key: string;
  title: string;
  body: string;
  click: ClickAction;
}

const BODY_MAX = 200;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_MAX ? `${flat.slice(0, BODY_MAX - 1)}…` : flat;
}

export function inviteNotification(invite: Invite): NotificationSpec {
  const others = invite.members.filter((m) => m.id !== invite.from.id && m.id !== invite.to.id);
  const body =
    invite.kind === 'group' || others.length > 0
      ? `Group chat with ${[invite.from, ...others].map((m) => m.displayName).join(', ')}. Click to join.`
      : 'Click to accept and open the chat.';
  return {
    key: `invite:${invite.id}`,
    title: `${invite.from.displayName} invites you to chat`,
    body: clip(body),
    click: { kind: 'accept-invite', inviteId: invite.id },
  };
}

/**
 * A new message notifies unless the user wrote it (on another device) or is looking
 * at that chat right now: its own window is focused, or the focused main window shows it.
 */
export function messageNotification(message: Message, selfUserId: string | null, focused: FocusedView): NotificationSpec | null {
  if (selfUserId !== null && message.sender.id === selfUserId) return null;
  if (focused && focused.chatId === message.chatId) return null;
  return {
    key: `chat:${message.chatId}`,
    title: message.sender.displayName,
    body: clip(message.body),
    click: { kind: 'open-chat', chatId: message.chatId },
  };
}

/**
 * On Linux the notification server renders the body as markup (libnotify's
 * body-markup), and bodies and names come from other users: `<b>`, `&lt;` or a broken
 * tag must show as typed. The summary (title) is plain text by the freedesktop
 * specification, so escaping it would show `&amp;` literally.
 */
export function notificationBody(text: string, platform: NodeJS.Platform): string {
  if (platform !== 'linux') return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export type InviteClickOutcome =
  | { kind: 'open-chat'; chatId: string }
  | { kind: 'notice'; title: string; body: string };

/** What accepting from a notification leads to, given the relay's answer. */
export function inviteClickOutcome(ack: Ack<{ chat: Chat }>): InviteClickOutcome {
  if (ack.ok) return { kind: 'open-chat', chatId: ack.chat.id };
  const { code, chatId } = ack.error;
  // Someone already built this exact chat: the user is in it, so take them there.
  if (code === 'duplicate_members' && chatId) return { kind: 'open-chat', chatId };
  const body =
    code === 'invite_closed'
      ? 'This invite is no longer open.'
      : code === 'already_member'
        ? 'You are already in that chat.'
        : `Could not accept the invite (${code}).`;
  return { kind: 'notice', title: 'Invite not accepted', body };
}

export interface ShownNotification {
  close(): void;
}

export interface NotificationPort {
  isSupported(): boolean;
  show(spec: { title: string; body: string }, onClick: () => void): ShownNotification;
}

export interface NotifierDeps {
  port: NotificationPort;
  /** Do not disturb: invites and messages show nothing (they still count as unread). */
  muted(): boolean;
  platform: NodeJS.Platform;
  acceptInvite(inviteId: string): Promise<Ack<{ chat: Chat }>>;
  openChat(chatId: string): void;
  /** Tells the renderer what happened, so the main window can show the chat too. */
  tellRenderer(action: NotificationAction): void;
  selfUserId(): string | null;
  focusedView(): FocusedView;
}

export class Notifier {
  private readonly shown = new Map<string, ShownNotification>();

  constructor(private readonly deps: NotifierDeps) {}

  handleServerEvent<E extends ServerEvent>(event: E, payload: ServerPayloads[E]): void {
    if (event === 'invite:received') {
      this.show(inviteNotification((payload as ServerPayloads['invite:received']).invite));
    } else if (event === 'invite:closed') {
      // Accepted elsewhere, cancelled, expired: its notification has nothing left to offer.
      this.dismiss(`invite:${(payload as ServerPayloads['invite:closed']).inviteId}`);
    } else if (event === 'chat:message') {
      const { message } = payload as ServerPayloads['chat:message'];
      const spec = messageNotification(message, this.deps.selfUserId(), this.deps.focusedView());
      if (spec) this.show(spec);
    } else if (event === 'chat:left') {
      this.dismiss(`chat:${(payload as ServerPayloads['chat:left']).chatId}`);
    }
  }

  /** Closes every notification (sign-out). */
  clear(): void {
    for (const key of [...this.shown.keys()]) this.dismiss(key);
  }

  async click(action: ClickAction): Promise<void> {
    if (action.kind === 'open-chat') {
      this.deps.openChat(action.chatId);
      this.deps.tellRenderer({ kind: 'open-chat', chatId: action.chatId });
      return;
    }
    let ack: Ack<{ chat: Chat }>;
    try {
      ack = await this.deps.acceptInvite(action.inviteId);
    } catch (err) {
      ack = { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
    }
    const outcome = inviteClickOutcome(ack);
    if (outcome.kind === 'open-chat') {
      this.deps.openChat(outcome.chatId);
      this.deps.tellRenderer({ kind: 'invite-accepted', chatId: outcome.chatId });
    } else {
      this.notice(`notice:${action.inviteId}`, outcome.title, outcome.body);
    }
  }

  /** A notification of the app's own (not from another user), shown even in Do not disturb. */
  notice(key: string, title: string, body: string): void {
    this.present(key, title, body, null);
  }

  private show(spec: NotificationSpec): void {
    if (this.deps.muted()) return;
    this.present(spec.key, spec.title, spec.body, () => void this.click(spec.click));
  }

  private present(key: string, title: string, body: string, onClick: (() => void) | null): void {
    if (!this.deps.port.isSupported()) return;
    this.dismiss(key);
    const shown = this.deps.port.show({ title, body: notificationBody(body, this.deps.platform) }, () => {
      this.shown.delete(key);
      onClick?.();
    });
    this.shown.set(key, shown);
  }

  private dismiss(key: string): void {
    const n = this.shown.get(key);
    if (!n) return;
    this.shown.delete(key);
    n.close();
  }
}
