// Which windows get which server event. A chat's events go to that chat's window and
// to the main window (its chat list and unread counts); everything else (presence,
// friends, invites) goes to every window, since a chat window shows members' presence
// and can invite friends too.
import type { ServerEvent, ServerPayloads } from '../protocol/types';
import type { OutgoingUpdate } from '../renderer/bridge/types';
import type { AppWindow, WindowRegistry } from './windows';

/** The chat an event is about, or null when it concerns the user as a whole. */
export function chatOfServerEvent<E extends ServerEvent>(event: E, payload: ServerPayloads[E]): string | null {
  switch (event) {
    case 'chat:joined':
      return (payload as ServerPayloads['chat:joined']).chat.id;
    case 'chat:message':
      return (payload as ServerPayloads['chat:message']).message.chatId;
    case 'chat:member':
    case 'chat:left':
    case 'chat:typing':
    case 'chat:read':
      return (payload as ServerPayloads['chat:left']).chatId;
    default:
      return null;
  }
}

export function chatOfOutgoing(update: OutgoingUpdate): string {
  switch (update.kind) {
    case 'queued':
      return update.outgoing.chatId;
    case 'sent':
      return update.message.chatId;
    case 'failed':
      return update.chatId;
  }
}

/** The windows that should hear about something concerning `chatId` (null: everyone). */
export function windowsFor(chatId: string | null, windows: Pick<WindowRegistry, 'all' | 'main' | 'chatWindow'>): AppWindow[] {
  if (chatId === null) return windows.all();
  const out: AppWindow[] = [];
  const main = windows.main();
  if (main) out.push(main);
  const chat = windows.chatWindow(chatId);
  if (chat) out.push(chat);
  return out;
}
