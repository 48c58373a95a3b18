// The signed-in user of this desktop app, held by the main process: signs in over
// HTTP, keeps the token (TokenStore), and owns the one RelayLink every window shares.
import type { SyncSnapshot } from '../client/connection';
import type { Ack, ClientEvent, ClientPayloads, ClientResults, HttpError, Message, ServerEvent, ServerPayloads, User, WireError } from '../protocol/types';
import type { AuthOutcome, ConnectionState, OutgoingMessage, OutgoingUpdate } from '../renderer/bridge/types';
import { SERVER_EVENTS } from './preload-api';
import type { CreateLink, RelayLink } from './relay-link';
import type { StoredSession } from './token-store';

type AuthResponse = ({ ok: true; token: string; user: User }) | { ok: false; error: HttpError };

export interface SessionAuth {
  register(baseUrl: string, username: string, password: string, displayName?: string): Promise<AuthResponse>;
  login(baseUrl: string, username: string, password: string): Promise<AuthResponse>;
  logout(baseUrl: string, token: string): Promise<{ ok: true } | { ok: false; error: HttpError }>;
}

export interface SessionTokens {
  load(relayUrl: string): StoredSession | null;
  save(session: StoredSession): void;
  clear(): void;
}

/** Where the session reports what the windows must hear about. */
export interface SessionListeners {
  serverEvent<E extends ServerEvent>(event: E, payload: ServerPayloads[E]): void;
  state(state: ConnectionState): void;
  outgoing(update: OutgoingUpdate): void;
  catchUp(chatId: string, messages: Message[]): void;
  sync(snapshot: SyncSnapshot): void;
  /** A window of this app moved a read position (chat:read answered ok). */
  readMoved(chatId: string, seq: number): void;
  signedOut(): void;
}

const NOT_SIGNED_IN: WireError = { code: 'unauthorized', message: 'not signed in' };

export class DesktopSession {
  private link: RelayLink | null = null;
  private unsubscribe: Array<() => void> = [];
  private session: StoredSession | null = null;

  constructor(
    private readonly relayUrl: string,
    private readonly auth: SessionAuth,
    private readonly tokens: SessionTokens,
    private readonly createLink: CreateLink,
    private readonly listeners: SessionListeners,
  ) {}

  user(): User | null {
    return this.session?.user ?? null;
  }

  state(): ConnectionState {
    return this.link ? this.link.state() : { status: 'signed-out' };
  }

  /** The user of a kept token, connecting with it; the same user to every window asking. */
  async restore(): Promise<User | null> {
    if (this.session) return this.session.user;
    const kept = this.tokens.load(this.relayUrl);
    if (!kept) return null;
    this.start(kept);
    return kept.user;
  }

  register(username: string, password: string, displayName?: string): Promise<AuthOutcome> {
    return this.signIn(() => this.auth.register(this.relayUrl, username, password, displayName));
  }

  login(username: string, password: string): Promise<AuthOutcome> {
    return this.signIn(() => this.auth.login(this.relayUrl, username, password));
  }

  async logout(): Promise<void> {
    const session = this.session;
    const link = this.link;
    this.stop();
    // Unsent messages are this user's; never leave them to be sent after a later sign-in.
    await link?.clearQueue().catch(() => undefined);
    this.tokens.clear();
    // Revoke on the relay too; offline sign-out still forgets the token here.
    if (session) await this.auth.logout(this.relayUrl, session.token).catch(() => undefined);
    this.listeners.state({ status: 'signed-out' });
    this.listeners.signedOut();
  }

  async request<E extends ClientEvent>(event: E, payload: ClientPayloads[E]): Promise<Ack<ClientResults[E]>> {
    if (!this.link) return { ok: false, error: NOT_SIGNED_IN };
    const ack = await this.link.request(event, payload);
    // The relay tells only this user's other sockets; this device's windows hear it here.
    if (event === 'chat:read' && ack.ok) {
      const { chatId, seq } = payload as ClientPayloads['chat:read'];
      this.listeners.readMoved(chatId, seq);
    }
    return ack;
  }

  send(chatId: string, body: string): Promise<OutgoingMessage> {
    if (!this.link) return Promise.reject(new Error('not signed in'));
    return this.link.send(chatId, body);
  }

  async pending(chatId: string): Promise<OutgoingMessage[]> {
    return this.link ? this.link.pending(chatId) : [];
  }

  /**
   * The window's "Retry now": while waiting out the backoff, connect at once. start()
   * drops the waiting socket and begins again with the backoff reset (as on the web).
   */
  retryNow(): void {
    if (this.link && this.session && this.link.state().status === 'reconnecting') this.link.start(this.session.token);
  }

  /** Closes the connection (app quit); the token stays for next time. */
  shutdown(): void {
    this.stop();
  }

  private async signIn(call: () => Promise<AuthResponse>): Promise<AuthOutcome> {
    const res = await call();
    if (!res.ok) return { ok: false, error: res.error };
    this.stop();
    const session: StoredSession = { relayUrl: this.relayUrl, token: res.token, user: res.user };
    this.tokens.save(session);
    this.start(session);
    return { ok: true, user: res.user };
  }

  private start(session: StoredSession): void {
    this.session = session;
    const link = this.createLink(session);
    this.link = link;
    const l = this.listeners;
    for (const event of SERVER_EVENTS) {
      this.unsubscribe.push(link.on(event, (payload) => l.serverEvent(event, payload)));
    }
    this.unsubscribe.push(
      link.onState((state) => l.state(state)),
      // The relay refused the token (revoked elsewhere, or unknown): forget it and say so.
      link.onUnauthorized(() => {
        if (this.link === link) void this.logout();
      }),
      link.onOutgoing((u) => l.outgoing(u)),
      link.onCatchUp((chatId, messages) => l.catchUp(chatId, messages)),
      link.onSync((snapshot) => l.sync(snapshot)),
    );
    link.start(session.token);
  }

  private stop(): void {
    const link = this.link;
    this.link = null;
    this.session = null;
    for (const off of this.unsubscribe.splice(0)) off();
    link?.stop();
  }
}
