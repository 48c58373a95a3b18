// The one contract between the preload script and the page: what `window.relaychat`
// offers (imported type-only by the renderer) and the IPC channel names behind it
// (used by preload and main). The page never sees ipcRenderer: each function here
// maps to exactly one channel, and main checks the sender of every one of them.
import type {
  Ack,
  ClientEvent,
  ClientPayloads,
  ClientResults,
  Message,
  ServerEvent,
  ServerPayloads,
  User,
} from '../protocol/types';
import { CLIENT_EVENTS, SERVER_EVENTS } from '../protocol/types';
import type {
  AuthOutcome,
  ConnectionState,
  NotificationAction,
  OutgoingMessage,
  OutgoingUpdate,
} from '../renderer/bridge/types';

export type Unsubscribe = () => void;

export interface RelayChatApi {
  session: {
    restore(): Promise<User | null>;
    register(username: string, password: string, displayName?: string): Promise<AuthOutcome>;
    login(username: string, password: string): Promise<AuthOutcome>;
    logout(): Promise<void>;
    /** The connection state now; later changes come through events.onState. */
    state(): Promise<ConnectionState>;
    /** While reconnecting: try now instead of waiting out the backoff. */
    retryNow(): void;
  };
  /** Any client->server event; main forwards it on its one connection. */
  request<E extends ClientEvent>(event: E, payload: ClientPayloads[E]): Promise<Ack<ClientResults[E]>>;
  chat: {
    send(chatId: string, body: string): Promise<OutgoingMessage>;
    pending(chatId: string): Promise<OutgoingMessage[]>;
    /** Opens that chat's own window, or focuses it when it is already open. */
    open(chatId: string): void;
    /** Which chat this window shows right now, so its messages do not notify. */
    setFocused(chatId: string | null): void;
  };
  events: {
    onServer<E extends ServerEvent>(event: E, cb: (payload: ServerPayloads[E]) => void): Unsubscribe;
    onState(cb: (state: ConnectionState) => void): Unsubscribe;
    onOutgoing(cb: (update: OutgoingUpdate) => void): Unsubscribe;
    onCatchUp(cb: (chatId: string, messages: Message[]) => void): Unsubscribe;
    onNotificationAction(cb: (action: NotificationAction) => void): Unsubscribe;
  };
}

/** renderer -> main, answered (ipcRenderer.invoke / ipcMain.handle). */
export const INVOKE = {
  restore: 'relaychat:session:restore',
  register: 'relaychat:session:register',
  login: 'relaychat:session:login',
  logout: 'relaychat:session:logout',
  state: 'relaychat:session:state',
  request: 'relaychat:request',
  send: 'relaychat:chat:send',
  pending: 'relaychat:chat:pending',
} as const;

/** renderer -> main, fire and forget (ipcRenderer.send / ipcMain.on). */
export const SEND = {
  openChat: 'relaychat:chat:open',
  setFocused: 'relaychat:chat:focused',
  retryNow: 'relaychat:session:retry-now',
} as const;

/** main -> renderer (webContents.send / ipcRenderer.on). */
export const PUSH = {
  server: 'relaychat:push:server',
  state: 'relaychat:push:state',
  outgoing: 'relaychat:push:outgoing',
  catchUp: 'relaychat:push:catch-up',
  notificationAction: 'relaychat:push:notification-action',
} as const;

export type InvokeChannel = (typeof INVOKE)[keyof typeof INVOKE];
export type SendChannel = (typeof SEND)[keyof typeof SEND];
export type PushChannel = (typeof PUSH)[keyof typeof PUSH];

// Every event name, so both preload and main can refuse anything else.
export { CLIENT_EVENTS, SERVER_EVENTS };

export function isClientEvent(x: unknown): x is ClientEvent {
  return typeof x === 'string' && (CLIENT_EVENTS as readonly string[]).includes(x);
}

export function isServerEvent(x: unknown): x is ServerEvent {
  return typeof x === 'string' && (SERVER_EVENTS as readonly string[]).includes(x);
}

declare global {
  interface Window {
    /** Present only in the desktop app (exposed by electron/preload.ts). */
    relaychat?: RelayChatApi;
  }
}
