// The one connection to the relay, shared by the Electron main process and the web
// client: authenticates with a token, reconnects with backoff, catches up what was
// missed (docs/protocol.md rule 9), delivers each message once, and drains the outgoing
// queue. No Electron, no DOM.
//
// request() never rejects: a refusal is the relay's `{ ok: false, error }`; no answer
// in time (or a dropped connection) is `{ ok: false, error: { code: 'internal',
// message: 'timed out' | 'socket has been disconnected' | ... } }`; not started or
// signed out is `{ ok: false, error: { code: 'unauthorized', message: 'not signed in' } }`.
import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import type {
  Ack,
  Chat,
  ClientEvent,
  ClientPayloads,
  ClientResults,
  FriendsListResult,
  InviteListResult,
  Message,
  ServerEvent,
  ServerPayloads,
} from '../protocol/types';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { TypedEmitter } from './emitter';
import { Outbox } from './outbox';
import type { QueueStorage } from './queue-storage';
import { emitWithAck, type RelaySocket } from './socket-ack';
import { Timeline } from './timeline';
import type { ConnectionState, OutgoingMessage, OutgoingUpdate } from './types';

/** Fresh lists fetched after each (re)connect, replacing whatever events were missed meanwhile. */
export interface SyncSnapshot {
  chats: Chat[];
  invites: InviteListResult;
  friends: FriendsListResult;
}

export interface ConnectionEvents {
  state: ConnectionState;
  outgoing: OutgoingUpdate;
  /** Messages of one chat that arrived while away, unseen before, ascending by seq; membership entries (kind 'joined'/'left') included. */
  catchUp: { chatId: string; messages: Message[] };
  sync: SyncSnapshot;
  /** The relay refused the token (revoked or unknown): the connection has stopped. */
  unauthorized: undefined;
  /** Trouble that stops nothing, e.g. the queue could not be saved. */
  error: unknown;
}

export interface RelayConnectionOptions {
  url: string;
  storage: QueueStorage;
  /** Answer deadline of request() and of each chat:send. Default 10 s. */
  requestTimeoutMs?: number;
  /** Reconnect delays. */
  backoff?: Partial<BackoffOptions>;
  /** Delays between resends of a message the relay refused transiently (rate_limited, internal) or did not answer. */
  retryBackoff?: Partial<BackoffOptions>;
  /** Extra socket.io options (e.g. `transports`). Reconnection is ours, so those options are overridden. */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
  random?: () => number;
}

const HISTORY_PAGE = 200;
/** 200 × 10 000 = two million messages missed in one chat before catch-up gives up on it. */
const MAX_HISTORY_PAGES = 10_000;
const CATCH_UP_CONCURRENCY = 4;

type Held = { message: Message; silent: boolean };

export class RelayConnection {
  private readonly events = new TypedEmitter<ConnectionEvents>();
  private readonly server = new TypedEmitter<ServerPayloads>();
  private readonly timeline = new Timeline();
  private readonly outbox: Outbox;
  private readonly opts: Required<Pick<RelayConnectionOptions, 'requestTimeoutMs'>> & RelayConnectionOptions;
  private readonly backoff: BackoffOptions;
  private readonly retryBackoff: BackoffOptions;
  private readonly random: () => number;

  private socket: RelaySocket | null = null;
  private running = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Counts connections, so work begun for one connection stops when it is gone. */
  private connectionId = 0;
  /**
   * Chats being caught up right now. Live messages (and our own acknowledged sends) for
   * them wait here, so they are delivered after the missed ones and cannot move
   * lastSeq past a gap before the gap is filled.
   */
  private holds = new Map<string, Held[]>();
  private currentState: ConnectionState = { status: 'signed-out' };

  constructor(options: RelayConnectionOptions) {
    this.opts = { requestTimeoutMs: 10_000, ...options };
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.retryBackoff = { baseMs: 1000, maxMs: 15_000, jitter: 0.5, ...options.retryBackoff };
    this.random = options.random ?? Math.random;
    this.outbox = new Outbox({
      storage: options.storage,
      sendOne: (item) =>
        this.socket
          ? emitWithAck(this.socket, 'chat:send', { chatId: item.chatId, clientMsgId: item.clientMsgId, body: item.body }, this.opts.requestTimeoutMs)
          : Promise.resolve({ kind: 'lost', reason: 'not connected' }),
      canSend: () => this.running && this.socket?.connected === true,
      retryDelay: (n) => backoffDelay(n, this.retryBackoff, this.random),
      onUpdate: (u) => this.events.emit('outgoing', u),
      onStored: (m) => {
        this.timeline.markSeen(m);
        this.receive(m, true);
      },
      onError: (err) => this.events.emit('error', err),
    });
  }

  state(): ConnectionState {
    return this.currentState;
  }

  /** Resolves once the kept outgoing queue has been read back from storage. */
  get ready(): Promise<void> {
    return this.outbox.ready;
  }

  /** Connects with `token` (replacing any earlier connection) and keeps reconnecting until stop(). */
  start(token: string): void {
    this.teardown();
    this.running = true;
    this.attempt = 0;
    const socket: RelaySocket = io(this.opts.url, {
      ...this.opts.socketOptions,
      auth: { token },
      autoConnect: false,
      reconnection: false,
      // Never share a Manager with another RelayConnection in the same process (tests run many).
      forceNew: true,
    });
    this.socket = socket;
    socket.on('connect', () => this.onConnect(socket));
    socket.on('connect_error', (err) => this.onConnectError(socket, err));
    socket.on('disconnect', (reason) => this.onDisconnect(socket, reason));
    this.wireServerEvents(socket);
    this.setState({ status: 'connecting' });
    socket.connect();
  }

  /** Disconnects and stays signed out. The outgoing queue is kept (see clearQueue). */
  stop(): void {
    this.teardown();
    this.setState({ status: 'signed-out' });
  }

  /** Same as stop(); the name electron/relay-link.ts's RelayLink expects. */
  close(): void {
    this.stop();
  }

  /** Forgets every unsent message, e.g. on sign-out so they are never sent as another user. */
  clearQueue(): Promise<void> {
    return this.outbox.clear();
  }

  async request<E extends ClientEvent>(event: E, payload: ClientPayloads[E], timeoutMs = this.opts.requestTimeoutMs): Promise<Ack<ClientResults[E]>> {
    const deadline = Date.now() + timeoutMs;
    const socket = await this.connectedSocket(timeoutMs);
    if (!socket) {
      return this.running
        ? { ok: false, error: { code: 'internal', message: 'timed out waiting for the relay' } }
        : { ok: false, error: { code: 'unauthorized', message: 'not signed in' } };
    }
    const out = await emitWithAck(socket, event, payload, Math.max(1, deadline - Date.now()));
    return out.kind === 'ack' ? out.ack : { ok: false, error: { code: 'internal', message: out.reason } };
  }

  /** Queues a message (persisted first) and sends it when connected; follow it through onOutgoing. */
  send(chatId: string, body: string): Promise<OutgoingMessage> {
    return this.outbox.add(chatId, body);
  }

  async pending(chatId?: string): Promise<OutgoingMessage[]> {
    await this.outbox.ready;
    return this.outbox.pending(chatId);
  }

  /** Server events. `chat:message` is delivered once per message id, and never for our own sends (see onOutgoing 'sent'). */
  on<E extends ServerEvent>(event: E, cb: (payload: ServerPayloads[E]) => void): () => void {
    return this.server.on(event, cb);
  }

  onState(cb: (state: ConnectionState) => void): () => void {
    return this.events.on('state', cb);
  }

  onOutgoing(cb: (update: OutgoingUpdate) => void): () => void {
    return this.events.on('outgoing', cb);
  }

  onCatchUp(cb: (chatId: string, messages: Message[]) => void): () => void {
    return this.events.on('catchUp', ({ chatId, messages }) => cb(chatId, messages));
  }

  onSync(cb: (snapshot: SyncSnapshot) => void): () => void {
    return this.events.on('sync', cb);
  }

  onUnauthorized(cb: () => void): () => void {
    return this.events.on('unauthorized', () => cb());
  }

  onError(cb: (err: unknown) => void): () => void {
    return this.events.on('error', cb);
  }

  /** The test hook for "the network vanished": drops the transport without telling the relay. */
  dropTransport(): void {
    this.socket?.io.engine?.close();
  }

  // --- connection lifecycle ---

  private teardown(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.holds.clear();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
    }
    this.outbox.wake();
  }

  private onConnect(socket: RelaySocket): void {
    if (socket !== this.socket || !this.running) return;
    const id = ++this.connectionId;
    // Resume points taken now, before anything from this connection is received.
    const since = this.timeline.snapshot();
    this.holds = new Map([...since.keys()].map((chatId) => [chatId, []]));
    this.setState({ status: 'online' });
    this.outbox.kick();
    this.outbox.wake();
    void this.sync(socket, id, since);
  }

  private onConnectError(socket: RelaySocket, err: Error): void {
    if (socket !== this.socket || !this.running) return;
    if (err.message === 'unauthorized') {
      this.teardown();
      this.setState({ status: 'signed-out' });
      this.events.emit('unauthorized', undefined);
      return;
    }
    this.scheduleRetry(socket);
  }

  private onDisconnect(socket: RelaySocket, reason: string): void {
    if (socket !== this.socket || !this.running) return;
    // Held live messages are dropped, not lost: they were not recorded, so the next catch-up fetches them.
    this.holds.clear();
    if (reason === 'io client disconnect') return;
    // Also after "io server disconnect" (e.g. a logout elsewhere): the retry then learns whether the token still works.
    this.scheduleRetry(socket);
  }

  private scheduleRetry(socket: RelaySocket): void {
    if (this.retryTimer) return;
    this.attempt++;
    const retryInMs = backoffDelay(this.attempt, this.backoff, this.random);
    this.setState({ status: 'reconnecting', attempt: this.attempt, retryInMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (socket === this.socket && this.running && !socket.connected) socket.connect();
    }, retryInMs);
  }

  private setState(state: ConnectionState): void {
    this.currentState = state;
    this.events.emit('state', state);
  }

  /** The connected socket, waiting up to `timeoutMs` for a (re)connect; null if none came. */
  private connectedSocket(timeoutMs: number): Promise<RelaySocket | null> {
    if (!this.running) return Promise.resolve(null);
    if (this.socket?.connected) return Promise.resolve(this.socket);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(null), timeoutMs);
      const off = this.events.on('state', (s) => {
        if (s.status === 'online') finish(this.socket);
        else if (s.status === 'signed-out') finish(null);
      });
      const finish = (socket: RelaySocket | null) => {
        clearTimeout(timer);
        off();
        resolve(socket?.connected ? socket : null);
      };
    });
  }

  // --- incoming ---

  private wireServerEvents(socket: RelaySocket): void {
    const forward = <E extends ServerEvent>(event: E) => (payload: ServerPayloads[E]) => {
      if (socket === this.socket) this.server.emit(event, payload);
    };
    socket.on('presence', forward('presence'));
    socket.on('friend:request', forward('friend:request'));
    socket.on('friend:added', forward('friend:added'));
    socket.on('friend:removed', forward('friend:removed'));
    socket.on('invite:received', forward('invite:received'));
    socket.on('invite:closed', forward('invite:closed'));
    socket.on('chat:member', (payload) => {
      if (socket !== this.socket) return;
      // The membership entry takes a seq in the chat's timeline like a message. Recorded
      // here, or the Timeline would see a hole at that seq and resume before it for good.
      // It is not held during a catch-up: the member change itself is news now, and the
      // Timeline resumes from the highest contiguous seq, so it cannot skip a gap.
      this.timeline.accept(payload.message);
      this.server.emit('chat:member', payload);
    });
    socket.on('chat:typing', forward('chat:typing'));
    socket.on('chat:read', forward('chat:read'));
    socket.on('chat:joined', (payload) => {
      if (socket !== this.socket) return;
      // Earlier messages of a newly joined chat are loaded by whoever opens it.
      this.timeline.baseline(payload.chat.id, payload.chat.lastSeq);
      this.server.emit('chat:joined', payload);
    });
    socket.on('chat:left', (payload) => {
      if (socket !== this.socket) return;
      this.holds.delete(payload.chatId);
      this.timeline.forget(payload.chatId);
      this.server.emit('chat:left', payload);
    });
    socket.on('chat:message', (payload) => {
      if (socket === this.socket) this.receive(payload.message, false);
    });
  }

  /** A message from a live event (silent=false) or our own send's ack (silent=true: reported via 'sent'). */
  private receive(message: Message, silent: boolean): void {
    const held = this.holds.get(message.chatId);
    if (held) {
      held.push({ message, silent });
      return;
    }
    if (this.timeline.accept(message) && !silent && !this.isOwnPending(message)) this.server.emit('chat:message', { message });
  }

  /**
   * The relay's broadcast of our own send can overtake its ack (or the ack can be lost).
   * Such a message is reported once, by the 'sent' update that follows, never as a live one.
   */
  private isOwnPending(message: Message): boolean {
    // A membership entry has clientMsgId '': it is never one of our sends, whatever the queue holds.
    return message.kind === 'text' && this.outbox.isPending(message.chatId, message.clientMsgId);
  }

  private release(chatId: string): void {
    const held = this.holds.get(chatId);
    if (!held) return;
    this.holds.delete(chatId);
    held.sort((a, b) => a.message.seq - b.message.seq);
    for (const h of held) this.receive(h.message, h.silent);
  }

  // --- catching up ---

  private async sync(socket: RelaySocket, id: number, since: Map<string, number>): Promise<void> {
    const live = () => id === this.connectionId && socket === this.socket && socket.connected;
    const t = this.opts.requestTimeoutMs;
    const list = await emitWithAck(socket, 'chat:list', {}, t);
    if (!live()) return;
    if (list.kind !== 'ack' || !list.ack.ok) return this.syncFailed(socket);
    const chats = list.ack.chats;

    const listed = new Set(chats.map((c) => c.id));
    for (const chatId of since.keys()) {
      if (!listed.has(chatId)) {
        // Left or deleted while away; chat:left was missed.
        this.holds.delete(chatId);
        this.timeline.forget(chatId);
      }
    }
    for (const chat of chats) if (!since.has(chat.id)) this.timeline.baseline(chat.id, chat.lastSeq);

    const toCatchUp = chats.filter((c) => since.has(c.id));
    let failed = false;
    const worker = async () => {
      for (let chat = toCatchUp.shift(); chat && !failed; chat = toCatchUp.shift()) {
        const ok = await this.catchUp(socket, chat.id, since.get(chat.id) ?? 0, live);
        if (!ok) failed = true;
      }
    };
    await Promise.all(Array.from({ length: CATCH_UP_CONCURRENCY }, worker));
    if (!live()) return;
    if (failed) return this.syncFailed(socket);

    const [invites, friends] = await Promise.all([
      emitWithAck(socket, 'invite:list', {}, t),
      emitWithAck(socket, 'friends:list', {}, t),
    ]);
    if (!live()) return;
    if (invites.kind !== 'ack' || !invites.ack.ok || friends.kind !== 'ack' || !friends.ack.ok) return this.syncFailed(socket);
    // Only a complete catch-up counts as a successful reconnect for the backoff.
    this.attempt = 0;
    const { ok: _i, ...inviteLists } = invites.ack;
    const { ok: _f, ...friendLists } = friends.ack;
    this.events.emit('sync', { chats, invites: inviteLists, friends: friendLists });
  }

  /** Pages `chat:history { after }` until nothing more; false if the relay did not answer properly. */
  private async catchUp(socket: RelaySocket, chatId: string, after: number, live: () => boolean): Promise<boolean> {
    let cursor = after;
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const res = await emitWithAck(socket, 'chat:history', { chatId, after: cursor, limit: HISTORY_PAGE }, this.opts.requestTimeoutMs);
      if (!live()) return true;
      if (res.kind !== 'ack') return false;
      if (!res.ack.ok) {
        // Left between chat:list and now: nothing to catch up.
        if (res.ack.error.code === 'not_found') break;
        return false;
      }
      const fresh = this.timeline.acceptAll(res.ack.messages).filter((m) => !this.isOwnPending(m));
      if (fresh.length > 0) this.events.emit('catchUp', { chatId, messages: fresh });
      const last = res.ack.messages.at(-1);
      if (!res.ack.hasMore || !last) break;
      cursor = last.seq;
    }
    this.release(chatId);
    return true;
  }

  /** The catch-up could not finish: reconnect (with backoff) so it runs again rather than leaving a gap. */
  private syncFailed(socket: RelaySocket): void {
    if (socket !== this.socket || !this.running) return;
    this.holds.clear();
    socket.io.engine?.close();
  }
}
