// What the renderer sees of the outside world. Two implementations:
//  - web.ts: in a browser, talks to the relay through client/ directly;
//  - electron.ts: in the desktop app, forwards over the preload's typed API to the
//    main process, which holds the one socket.io connection.
// The Vue app only ever talks to a Bridge, so the same renderer runs in both.
import type {
  Ack,
  ClientEvent,
  ClientPayloads,
  ClientResults,
  HttpError,
  Message,
  ServerEvent,
  ServerPayloads,
  User,
  WireError,
} from '../../protocol/types';

export type ConnectionState =
  | { status: 'signed-out' }
  | { status: 'connecting' }
  | { status: 'online' }
  /** Lost the relay; retrying with backoff. `retryInMs` is the wait before the next try. */
  | { status: 'reconnecting'; attempt: number; retryInMs: number };

export type AuthOutcome = { ok: true; user: User } | { ok: false; error: HttpError };

/** A message the user sent that the relay has not acknowledged yet (local echo). */
export interface OutgoingMessage {
  chatId: string;
  clientMsgId: string;
  body: string;
  /** When the user pressed send (ISO). */
  createdAt: string;
}

export type OutgoingUpdate =
  | { kind: 'queued'; outgoing: OutgoingMessage }
  /** The relay stored it: replace the local echo keyed by clientMsgId with `message`. */
  | { kind: 'sent'; clientMsgId: string; message: Message }
  /** Refused for good (e.g. not_found after leaving); the echo should show the error. */
  | { kind: 'failed'; clientMsgId: string; chatId: string; error: WireError };

/** Where a user's click on a notification should take them. */
export type NotificationAction = { kind: 'invite-accepted'; chatId: string } | { kind: 'open-chat'; chatId: string };

export interface Bridge {
  readonly platform: 'electron' | 'web';

  // session
  /** The signed-in user from a kept token (after an app restart), or null. */
  restoreSession(): Promise<User | null>;
  register(username: string, password: string, displayName?: string): Promise<AuthOutcome>;
  login(username: string, password: string): Promise<AuthOutcome>;
  logout(): Promise<void>;

  // the wire
  request<E extends ClientEvent>(event: E, payload: ClientPayloads[E]): Promise<Ack<ClientResults[E]>>;
  on<E extends ServerEvent>(event: E, cb: (payload: ServerPayloads[E]) => void): () => void;
  onState(cb: (state: ConnectionState) => void): () => void;
  /** While reconnecting: try now instead of waiting out the backoff. Absent where the platform cannot (yet). */
  retryNow?(): void;

  // sending: queued (kept across restarts) and resent with the same clientMsgId until acknowledged
  send(chatId: string, body: string): Promise<OutgoingMessage>;
  pending(chatId: string): Promise<OutgoingMessage[]>;
  onOutgoing(cb: (update: OutgoingUpdate) => void): () => void;
  /** Messages with seq > afterSeq that arrived after a reconnect (catch-up), in seq order. */
  onCatchUp(cb: (chatId: string, messages: Message[]) => void): () => void;

  // desktop integration
  /** Electron: open or focus the chat's own window. Web: ask the page to show that chat. */
  openChat(chatId: string): void;
  /** Called when a notification click (or the main process) wants a chat shown. */
  onNotificationAction(cb: (action: NotificationAction) => void): () => void;
  /** Total unread, for the dock/taskbar badge (and the page title on the web). */
  setBadge(count: number): void;
  /** Tells the notifier which chat the user is looking at, so it stays quiet for it. */
  setFocusedChat(chatId: string | null): void;
}
