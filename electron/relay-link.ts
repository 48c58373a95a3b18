// What the main process needs of the connection core in client/: the one socket.io
// connection to the relay, with reconnect, catch-up and the outgoing queue. Named
// here so the session and IPC code can be tested against a real relay connection
// without Electron, and so main.ts can wire whichever implementation client/ offers.
import type { Ack, ClientEvent, ClientPayloads, ClientResults, Message, ServerEvent, ServerPayloads } from '../protocol/types';
import type { ConnectionState, OutgoingMessage, OutgoingUpdate } from '../renderer/bridge/types';

export interface RelayLink {
  request<E extends ClientEvent>(event: E, payload: ClientPayloads[E]): Promise<Ack<ClientResults[E]>>;
  on<E extends ServerEvent>(event: E, cb: (payload: ServerPayloads[E]) => void): () => void;
  onState(cb: (state: ConnectionState) => void): () => void;
  state(): ConnectionState;
  send(chatId: string, body: string): Promise<OutgoingMessage>;
  pending(chatId: string): Promise<OutgoingMessage[]>;
  onOutgoing(cb: (update: OutgoingUpdate) => void): () => void;
  onCatchUp(cb: (chatId: string, messages: Message[]) => void): () => void;
  /** Disconnects for good (sign-out, quit); pending messages stay in their storage. */
  close(): Promise<void> | void;
}

export type ConnectLink = (relayUrl: string, token: string) => RelayLink;
