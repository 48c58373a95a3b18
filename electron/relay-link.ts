// What the main process needs of the connection core: client/'s RelayConnection
// satisfies this as it is. Named here so the session can be driven in tests with a
// real RelayConnection against a real relay, without Electron.
import type { SyncSnapshot } from '../client/connection';
import type { Ack, ClientEvent, ClientPayloads, ClientResults, Message, ServerEvent, ServerPayloads } from '../protocol/types';
import type { ConnectionState, OutgoingMessage, OutgoingUpdate } from '../renderer/bridge/types';
import type { StoredSession } from './token-store';

export interface RelayLink {
  state(): ConnectionState;
  start(token: string): void;
  /** Disconnects for good (sign-out, quit); the outgoing queue stays in its storage. */
  stop(): void;
  /** Forgets unsent messages (sign-out). */
  clearQueue(): Promise<void>;
  request<E extends ClientEvent>(event: E, payload: ClientPayloads[E]): Promise<Ack<ClientResults[E]>>;
  on<E extends ServerEvent>(event: E, cb: (payload: ServerPayloads[E]) => void): () => void;
  onState(cb: (state: ConnectionState) => void): () => void;
  onUnauthorized(cb: () => void): () => void;
  send(chatId: string, body: string): Promise<OutgoingMessage>;
  pending(chatId: string): Promise<OutgoingMessage[]>;
  onOutgoing(cb: (update: OutgoingUpdate) => void): () => void;
  onCatchUp(cb: (chatId: string, messages: Message[]) => void): () => void;
  /** Fresh chat, invite and friend lists after each (re)connect and catch-up. */
  onSync(cb: (snapshot: SyncSnapshot) => void): () => void;
}

/** A new, not yet started link for this signed-in user (its own outgoing queue file). */
export type CreateLink = (session: StoredSession) => RelayLink;
