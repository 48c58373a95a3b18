// Socket.IO: authenticates, validates every payload against protocol/schemas.ts,
// applies rate limits, calls a chat rule and emits what the rule returns. No chat
// rule lives here. Every emit goes to rooms (one per user, one per token), never to a
// socket object held here, so with REDIS_URL socket.io's streams adapter carries it to
// the sockets of every relay.
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { Server, type Socket } from 'socket.io';
import { clientSchemas, describeIssues, type ParsedPayload } from '../protocol/schemas';
import type { Ack, ClientEvent, ClientResults, ClientToServerEvents, ServerToClientEvents, User } from '../protocol/types';
import type { Accounts } from './accounts';
import { hashToken } from './accounts';
import type { AnyEmit, Outcome, RuleContext } from './chat/context';
import { RelayError } from './chat/errors';
import * as chats from './chat/chats';
import * as friends from './chat/friends';
import * as invites from './chat/invites';
import { expireDue } from './chat/invite-closing';
import { beginSend } from './chat/messages';
import type { Config } from './config';
import type { Logger } from './log';
import { originAllowed } from './origins';
import { presenceChange, type PresenceTracker } from './presence';
import type { RedisLink } from './redis-link';
import { KeyedLocks } from './keyed-locks';
import { budgetFactory, type Budget } from './limiters';
import { ruleKeys, type SerialEvent } from './rule-keys';

interface SocketData {
  user: User;
  tokenHash: string;
  /** The connection slot claimed in authenticate, until the connection takes it over. */
  claimId: string;
  /** Gives the slot back if the client leaves mid-handshake; null once connected. */
  release: (() => void) | null;
  /** This socket's sends not yet handed to the store (rule 8: they go in arrival order). */
  sendsAhead: number;
  /** Settles once the socket's latest send is in the store's line. */
  sendTail: Promise<void>;
}

/** An event's acknowledgement callback, when the client asked for one. */
type Reply = (res: Ack<object>) => void;

/** Between relays (serverSideEmit): a chat's members changed, cached lists are stale. */
interface InterServerEvents {
  'membership:forget': (chatId: string) => void;
}

type RelayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type RelaySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const userRoom = (id: string): string => `user:${id}`;
/**
 * Room names per list of user ids. A chat's member list is one cached array
 * (chat/membership.ts) that every message of the chat is addressed to, so its room
 * names are built once, not per message; other lists are dropped with their array.
 */
const roomsOf = new WeakMap<readonly string[], string[]>();
function userRooms(ids: readonly string[]): string[] {
  let rooms = roomsOf.get(ids);
  if (!rooms) roomsOf.set(ids, (rooms = ids.map(userRoom)));
  return rooms;
}
/** Rounds of re-reading a rule's keys before it runs alone (runLocked). */
const LOCK_ATTEMPTS = 3;
/** Logout disconnects by token; the room name carries only the token's hash. */
const tokenRoom = (tokenHash: string): string => `token:${tokenHash}`;

/** Events that read and then write several records: one at a time per user and chat they touch (rule-keys.ts). */
const SERIAL: ReadonlySet<ClientEvent> = new Set<SerialEvent>([
  'friends:request',
  'friends:accept',
  'friends:decline',
  'friends:remove',
  'invite:create',
  'invite:accept',
  'invite:reject',
  'invite:cancel',
  'chat:leave',
]);

type Handler<E extends ClientEvent> = (ctx: RuleContext, me: User, p: ParsedPayload<E>, socket: RelaySocket) => Promise<Outcome<ClientResults[E]>>;
type Handlers = { [E in Exclude<ClientEvent, 'chat:send'>]: Handler<E> };

const plain = <R>(result: R): Outcome<R> => ({ result, emits: [] });

const handlers: Handlers = {
  'friends:list': async (ctx, me) => plain(await friends.listFriends(ctx, me)),
  'friends:request': (ctx, me, p) => friends.requestFriend(ctx, me, p.username),
  'friends:accept': (ctx, me, p) => friends.acceptFriend(ctx, me, p.username),
  'friends:decline': (ctx, me, p) => friends.declineFriend(ctx, me, p.username),
  'friends:remove': (ctx, me, p) => friends.removeFriend(ctx, me, p.username),
  'invite:create': (ctx, me, p) => invites.createInvite(ctx, me, p),
  'invite:accept': (ctx, me, p) => invites.acceptInvite(ctx, me, p.inviteId),
  'invite:reject': (ctx, me, p) => invites.rejectInvite(ctx, me, p.inviteId),
  'invite:cancel': (ctx, me, p) => invites.cancelInvite(ctx, me, p.inviteId),
  'invite:list': async (ctx, me) => plain(await invites.listInvites(ctx, me)),
  'chat:list': async (ctx, me) => plain(await chats.listChats(ctx, me)),
  'chat:history': async (ctx, me, p) => plain(await chats.history(ctx, me, p)),
  'chat:leave': (ctx, me, p) => chats.leave(ctx, me, p.chatId),
  'chat:typing': (ctx, me, p) => chats.typing(ctx, me, p.chatId),
  'chat:read': (ctx, me, p, socket) => chats.markRead(ctx, me, p.chatId, p.seq, socket.id),
};

const isEvent = (name: string): name is ClientEvent => Object.hasOwn(clientSchemas, name);

export interface SocketDeps {
  ctx: RuleContext;
  accounts: Accounts;
  presence: PresenceTracker;
  /** Set when relays are joined through Redis (REDIS_URL). */
  redis: RedisLink | null;
  config: Config;
  log: Logger;
}

export class SocketLayer {
  readonly io: RelayServer;
  private readonly locks = new KeyedLocks();
  private readonly inflight = new InFlight();
  private readonly sendLimiter: Budget;
  private readonly eventLimiter: Budget;
  private readonly sweeper: NodeJS.Timeout;
  private readonly tokenChecker: NodeJS.Timeout;
  private readonly budgets: Record<'chat:history' | 'chat:typing', Budget>;
  private accepting = true;

  constructor(
    http: HttpServer,
    private readonly deps: SocketDeps,
  ) {
    const { config } = deps;
    this.io = new Server(http, {
      serveClient: false,
      // a chat:send is at most 4000 characters; anything far bigger is refused unread
      maxHttpBufferSize: 64 * 1024,
      pingInterval: 10_000,
      pingTimeout: 10_000,
      // Pages of other sites may not connect with a visitor's browser (relay/origins.ts).
      allowRequest: (req, callback) => {
        const forwarded = deps.config.TRUST_PROXY ? String(req.headers['x-forwarded-host'] ?? '').split(',')[0]?.trim() : '';
        callback(null, originAllowed(req.headers.origin, forwarded || req.headers.host, deps.config.ALLOWED_ORIGINS));
      },
      ...(deps.redis ? { adapter: createAdapter(deps.redis) } : {}),
    });
    if (deps.redis) {
      const membership = deps.ctx.membership;
      membership.onForget = (chatId) => this.io.serverSideEmit('membership:forget', chatId);
      this.io.on('membership:forget', (chatId) => membership.dropRemote(chatId));
    }
    // 10/s sustained with bursts of 100: the steady limiter first, then a burst allowance
    // that refills over a minute, so a reconnecting client can flush its queue at once.
    // Counted in Redis when relays are joined: one budget per user, whatever relay.
    const limiter = budgetFactory(deps.redis);
    this.sendLimiter = limiter.bursty(
      { keyPrefix: 'send', points: config.SEND_RATE_PER_SECOND, duration: 1 },
      { keyPrefix: 'send-burst', points: Math.max(1, config.SEND_BURST - config.SEND_RATE_PER_SECOND), duration: 60 },
    );
    this.eventLimiter = limiter({ keyPrefix: 'event', points: config.EVENT_RATE_PER_SECOND, duration: 1 });
    // History pages and typing signals have budgets of their own: a client paging back
    // through a long chat, or a stuck key, never uses up what the user's clicks need.
    this.budgets = {
      'chat:history': limiter({ keyPrefix: 'history', points: config.HISTORY_RATE_PER_SECOND, duration: 1 }),
      'chat:typing': limiter({ keyPrefix: 'typing', points: config.TYPING_RATE_PER_SECOND, duration: 1 }),
    };
    this.io.use((socket, next) => void this.authenticate(socket, next));
    this.io.on('connection', (socket) => this.onConnection(socket));
    const sweepEvery = Math.min(1000, Math.max(50, (config.INVITE_TTL_SECONDS * 1000) / 4));
    this.sweeper = setInterval(() => void this.sweep(), sweepEvery);
    this.sweeper.unref();
    // A token that expires ends the sessions already open with it, not only new ones.
    const tokenCheckEvery = Math.min(60_000, Math.max(250, (config.TOKEN_TTL_SECONDS * 1000) / 4));
    this.tokenChecker = setInterval(() => void this.endExpiredSessions(), tokenCheckEvery);
    this.tokenChecker.unref();
  }

  /** This relay's sockets whose token has expired (or is gone) are disconnected. */
  private async endExpiredSessions(): Promise<void> {
    try {
      const byToken = new Map<string, RelaySocket[]>();
      for (const socket of this.io.of('/').sockets.values()) {
        const list = byToken.get(socket.data.tokenHash);
        if (list) list.push(socket);
        else byToken.set(socket.data.tokenHash, [socket]);
      }
      const now = new Date().toISOString();
      for (const [tokenHash, sockets] of byToken) {
        if (await this.deps.ctx.store.findToken(tokenHash, now)) continue;
        for (const socket of sockets) socket.disconnect(true);
      }
    } catch (err) {
      this.deps.log.error({ err }, 'token expiry check failed');
    }
  }

  private async authenticate(socket: RelaySocket, next: (err?: Error) => void): Promise<void> {
    try {
      const token: unknown = socket.handshake.auth?.token;
      const user = typeof token === 'string' && token.length <= 512 ? await this.deps.accounts.authenticate(token) : null;
      // shutting down is not the token's fault: `internal` tells the client to retry
      if (!this.accepting) return next(new Error('internal'));
      if (!user) return next(new Error('unauthorized'));
      // The presence tracker counts the user's sockets (on every relay, with REDIS_URL)
      // and the handshakes still on their way in, and takes the slot in the same step,
      // so connections opened at once cannot all pass the check.
      const claimId = await this.deps.presence.claim(user.id, this.deps.config.MAX_SOCKETS_PER_USER);
      if (claimId === null) return next(new Error('rate_limited'));
      const release = () => this.deps.presence.release(user.id, claimId);
      // A client that goes away before the connection completes gives its slot back. One
      // that left while the slot was being claimed sends no 'close' any more: give it back now.
      if (socket.conn.readyState !== 'open') {
        release();
        return next(new Error('internal'));
      }
      socket.conn.once('close', release);
      const data = socket.data;
      data.user = user;
      data.tokenHash = hashToken(token as string);
      data.claimId = claimId;
      data.release = release;
      data.sendsAhead = 0;
      data.sendTail = NOTHING_AHEAD;
      next();
    } catch (err) {
      this.deps.log.error({ err }, 'socket authentication failed');
      next(new Error('internal'));
    }
  }

  private onConnection(socket: RelaySocket): void {
    const data = socket.data;
    const { user, tokenHash } = data;
    void socket.join([userRoom(user.id), tokenRoom(tokenHash)]);
    // the handshake's claim becomes this socket in the same step that counts it
    if (data.release) socket.conn.off('close', data.release);
    data.release = null;
    this.track(this.presenceEdge(this.deps.presence.connected(user.id, data.claimId), user, true));
    // One listener function for every socket (socket.io calls it with the socket as
    // `this`), not closures per socket: an idle client costs only socket.io's own.
    socket.onAny(this.onEvent);
    socket.on('disconnect', this.onDisconnect);
  }

  private readonly onEvent = eventListener(this);

  /** Called by onEvent (one function shared by every socket). */
  dispatch(socket: RelaySocket, name: string, args: unknown[]): void {
    let payload: unknown = args[0];
    const last = args[args.length - 1];
    if (args.length === 1 && typeof payload === 'function') payload = undefined;
    const ack = typeof last === 'function' ? (last as Reply) : undefined;
    if (!isEvent(name)) return ack?.(fail(new RelayError('bad_request', `unknown event ${String(name).slice(0, 64)}`)));
    if (name === 'chat:send') return this.send(socket, payload, ack);
    this.track(this.handle(socket, name, payload, ack ?? ignore));
  }

  private readonly onDisconnect = disconnectListener(this);

  /** Called by onDisconnect (one function shared by every socket). */
  left(socket: RelaySocket): void {
    const user = socket.data.user;
    this.track(this.presenceEdge(this.deps.presence.disconnected(user.id), user, false));
  }

  private async presenceEdge(edge: Promise<boolean>, user: User, online: boolean): Promise<void> {
    try {
      if (await edge) await this.announcePresence(user, online);
    } catch (err) {
      this.deps.log.error({ err }, 'presence update failed');
    }
  }

  /** An edge found apart from this relay's sockets (a dead relay's users, say). */
  announceEdge(userId: string, online: boolean): void {
    this.track(
      this.deps.ctx.users.get(userId).then(
        (user) => this.announcePresence(user, online),
        (err: unknown) => this.deps.log.error({ err }, 'presence update failed'),
      ),
    );
  }

  private async announcePresence(user: User, online: boolean): Promise<void> {
    try {
      const emits = await presenceChange(this.deps.ctx.store, user, online);
      // Another relay may have announced the opposite edge while the audience was read:
      // the later state wins, so a stale edge is dropped.
      if (this.deps.presence.shared && (await this.deps.presence.isOnline(user.id)) !== online) return;
      this.deliver(emits);
    } catch (err) {
      this.deps.log.error({ err }, 'presence fan-out failed');
    }
  }

  private track(p: Promise<unknown>): void {
    this.inflight.track(p);
  }

  private validate<E extends ClientEvent>(event: E, payload: unknown): ParsedPayload<E> {
    const parsed = clientSchemas[event].safeParse(payload);
    if (!parsed.success) throw new RelayError('bad_request', describeIssues(parsed.error));
    return parsed.data as ParsedPayload<E>;
  }

  /** Takes a point from `budget`; a refusal is rate_limited. */
  private limit(budget: Budget, key: string): Promise<void> {
    return budget.take(key).then(
      () => undefined,
      (e: unknown) => {
        throw limitError(e);
      },
    );
  }

  /**
   * Runs a rule holding the keys of what it reads. The keys are read before they are
   * held, so they are read again inside: if the rule now reaches further (someone
   * joined the chat meanwhile) it waits its turn again with the larger set, and after
   * a few such rounds it runs alone.
   */
  private async runLocked<E extends SerialEvent, R>(event: E, me: User, p: ParsedPayload<E>, run: () => Promise<R>): Promise<R> {
    const store = this.deps.ctx.store;
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
      const keys = await ruleKeys(store, me, event, p);
      const outcome = await this.locks.run(keys, async () => {
        const now = await ruleKeys(store, me, event, p);
        return now.every((k) => keys.includes(k)) ? { ran: true as const, result: await run() } : { ran: false as const };
      });
      if (outcome.ran) return outcome.result;
    }
    return this.locks.runExclusive(run);
  }

  private limiterFor(event: ClientEvent): Budget {
    if (event === 'chat:history' || event === 'chat:typing') return this.budgets[event];
    return this.eventLimiter;
  }

  private async handle<E extends Exclude<ClientEvent, 'chat:send'>>(socket: RelaySocket, event: E, payload: unknown, reply: (r: Ack<object>) => void): Promise<void> {
    const me = socket.data.user;
    try {
      if (!this.accepting) throw new RelayError('internal', 'the relay is shutting down');
      const p = this.validate(event, payload);
      await this.limit(this.limiterFor(event), me.id);
      const handler = handlers[event] as Handler<E>;
      const run = () => handler(this.deps.ctx, me, p, socket);
      const outcome = SERIAL.has(event) ? await this.runLocked(event as E & SerialEvent, me, p as ParsedPayload<E & SerialEvent>, run) : await run();
      this.deliver(outcome.emits);
      reply({ ok: true, ...(outcome.result as object) });
    } catch (e) {
      reply(this.failure(e, event));
    }
  }

  /**
   * Per socket, sends are handed to the store in arrival order (rule 8); the store keeps
   * that order, so a send waits only for the ones ahead of it to be queued, not stored.
   * With none ahead (the usual case) it starts at once, with no promise chained.
   */
  private send(socket: RelaySocket, payload: unknown, ack: Reply | undefined): void {
    const data = socket.data;
    this.inflight.begin();
    if (data.sendsAhead++ === 0) data.sendTail = this.handleSend(socket, payload, ack);
    else {
      // handleSend never rejects; the second handler is insurance that one send's
      // failure cannot strand the ones behind it
      const next = (): Promise<void> => this.handleSend(socket, payload, ack);
      data.sendTail = data.sendTail.then(next, next);
    }
  }

  /**
   * Resolves once the store has the message in line (or it was refused); the ack follows
   * when it is stored. Never rejects. Ends the in-flight count taken by send().
   */
  private async handleSend(socket: RelaySocket, payload: unknown, ack: Reply | undefined): Promise<void> {
    const data = socket.data;
    const me = data.user;
    try {
      if (!this.accepting) throw new RelayError('internal', 'the relay is shutting down');
      const p = this.validate('chat:send', payload);
      await this.limit(this.sendLimiter, me.id);
      const { outcome } = await beginSend(this.deps.ctx, me, p);
      outcome.then(
        (o) => this.sent(o, ack),
        (e: unknown) => this.sendFailed(e, ack),
      );
    } catch (e) {
      this.sendFailed(e, ack);
    } finally {
      data.sendsAhead--;
    }
  }

  /** Stored: delivered to the chat, then acknowledged. */
  private sent(o: Outcome<object>, ack: Reply | undefined): void {
    try {
      this.deliver(o.emits);
      ack?.({ ok: true, ...o.result });
    } finally {
      this.inflight.end();
    }
  }

  private sendFailed(e: unknown, ack: Reply | undefined): void {
    try {
      ack?.(this.failure(e, 'chat:send'));
    } finally {
      this.inflight.end();
    }
  }

  private failure(e: unknown, event: string): Ack<object> {
    if (e instanceof RelayError) {
      this.deliver(e.emits);
      return { ok: false, error: e.toWire() };
    }
    this.deps.log.error({ err: e, event }, 'event failed');
    return fail(new RelayError('internal', 'something went wrong on the relay; try again'));
  }

  deliver(emits: AnyEmit[]): void {
    for (const e of emits) {
      if (e.to.length === 0) continue;
      let target = this.io.to(userRooms(e.to));
      if (e.exceptSocketId) target = target.except(e.exceptSocketId);
      // each AnyEmit pairs an event with its own payload type; the union needs one call shape
      (target.emit as (event: string, payload: unknown) => boolean)(e.event, e.payload);
    }
  }

  private async sweep(): Promise<void> {
    try {
      // Not under the rule locks: the store expires only what is still pending, in one
      // transaction, and an accept or cancel checks the same in its own, so whichever
      // comes first closes the invite (as between relays, which share no lock). Taking
      // every lock would make each rule queued behind the sweep wait for the slowest
      // rule in flight, about once a second.
      this.deliver(await expireDue(this.deps.ctx));
    } catch (err) {
      this.deps.log.error({ err }, 'invite expiry sweep failed');
    }
  }

  /** Logout: every socket that authenticated with this token, on every relay, is disconnected. */
  disconnectToken(token: string): void {
    this.io.in(tokenRoom(hashToken(token))).disconnectSockets(true);
  }

  /**
   * Stops taking events, waits (bounded) for the ones in flight, then closes this
   * relay's sockets; their users' presence is settled (other relays told) before the
   * link to the other relays closes.
   */
  async shutdown(timeoutMs = 5000): Promise<void> {
    this.accepting = false;
    clearInterval(this.sweeper);
    clearInterval(this.tokenChecker);
    const deadline = new Promise((res) => setTimeout(res, timeoutMs).unref());
    await Promise.race([this.inflight.settled(), deadline]);
    this.io.local.disconnectSockets(true);
    await Promise.race([this.inflight.settled(), deadline]);
    await Promise.race([this.deps.presence.close().catch((err: unknown) => this.deps.log.error({ err }, 'presence close failed')), deadline]);
    await Promise.race([this.inflight.settled(), deadline]);
    await new Promise<void>((res) => void this.io.close(() => res()));
  }
}

function fail(err: RelayError): Ack<object> {
  return { ok: false, error: err.toWire() };
}

function limitError(e: unknown): unknown {
  return e instanceof RateLimiterRes ? new RelayError('rate_limited', `slow down: try again in ${Math.ceil(e.msBeforeNext / 1000)} s`) : e;
}

/** Before a socket's first send: nothing ahead of it. */
const NOTHING_AHEAD: Promise<void> = Promise.resolve();

const ignore = (): void => {};

/** The onAny listener every socket shares: socket.io calls it with the socket as `this`. */
function eventListener(layer: SocketLayer): (this: RelaySocket, name: string, ...args: unknown[]) => void {
  return function (this: RelaySocket, name: string, ...args: unknown[]): void {
    layer.dispatch(this, name, args);
  };
}

/** The 'disconnect' listener every socket shares (EventEmitter calls it with the socket as `this`). */
function disconnectListener(layer: SocketLayer): (this: RelaySocket) => void {
  return function (this: RelaySocket): void {
    layer.left(this);
  };
}

/**
 * Work in flight (events being handled, sends until their ack), counted rather than
 * held in a set: a send costs no entry and no extra promise. Shutdown waits for none
 * to be left.
 */
class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  begin(): void {
    this.count++;
  }

  end(): void {
    if (--this.count > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  track(p: Promise<unknown>): void {
    this.begin();
    p.then(this.ended, this.ended);
  }

  private readonly ended = (): void => this.end();

  /** Resolves once nothing is in flight. */
  settled(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((res) => this.waiters.push(res));
  }
}
