// OS-level notifications of the web client (the page shows in-app toasts itself):
// an invite, and a message in a chat the user is not looking at.
import type { Invite, Message } from '../../../protocol/types';

const BODY_PREVIEW = 140;

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

/** Asks once, at the first sign-in; a decided answer (granted or denied) is never asked again. */
export async function askNotificationPermission(): Promise<void> {
  if (!notificationsSupported() || Notification.permission !== 'default') return;
  try {
    await Notification.requestPermission();
  } catch {
    // Older Safari only has the callback form; going without notifications is fine.
  }
}

function show(title: string, options: NotificationOptions, onClick: () => void): void {
  if (!notificationsSupported() || Notification.permission !== 'granted') return;
  let n: Notification;
  try {
    n = new Notification(title, options);
  } catch {
    // Chrome on Android allows notifications only from a service worker.
    return;
  }
  n.onclick = () => {
    window.focus();
    n.close();
    onClick();
  };
}

export function notifyInvite(invite: Invite, onClick: () => void): void {
  const others = invite.members.filter((m) => m.id !== invite.from.id).map((m) => m.displayName);
  const body =
    invite.kind === 'group' && invite.chatId !== null
      ? `to a group chat${others.length ? ` with ${others.join(', ')}` : ''}. Click to join.`
      : 'to a chat. Click to accept.';
  show(`${invite.from.displayName} invites you`, { body, tag: `invite-${invite.id}` }, onClick);
}

export function notifyMessage(message: Message, onClick: () => void): void {
  const body = message.body.length > BODY_PREVIEW ? `${message.body.slice(0, BODY_PREVIEW - 1)}…` : message.body;
  // One notification per chat: a newer message replaces the older one.
  show(message.sender.displayName, { body, tag: `chat-${message.chatId}` }, onClick);
}
