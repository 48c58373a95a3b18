// Presence across relays joined through Redis (REDIS_URL). Every relay counts its
// sockets per user in Redis, beside a global count per user; the scripts in
// presence-scripts.ts change both at once and say when a user crosses the
// offline<->online edge, so exactly one relay announces each edge.
//
// A relay that dies (SIGKILL, a lost host) cannot take its sockets back out. So each
// relay keeps a short-lived alive key fresh with a heartbeat, and on every heartbeat
// looks for relays whose key has expired: the first to find one removes its sockets
// from the counts and announces the users that left offline. Should a live relay be
// taken for dead (its heartbeat held up for longer than the key lives), or Redis come
// back empty, its next change or heartbeat finds it unregistered and it registers
// again with the sockets it holds, announcing them online again.
//
// The per-user socket cap is global too: a handshake claims a slot in Redis (CLAIM),
// counted against the user's sockets on every relay and the other claims in flight, and
// the claim becomes the socket in the same step that counts it (CHANGE). A claim that
// never becomes a socket is given back, or lapses after CLAIM_TTL_MS should its relay
// die first. While Redis is away, the cap is counted by each relay alone meanwhile.
import { randomUUID } from 'node:crypto';
import type { Logger } from './log';
import { LocalClaims, type EdgeListener, type PresenceTracker } from './presence';
import { CHANGE, CLAIM, HEARTBEAT, REGISTER, REMOVE } from './presence-scripts';
import type { RedisLink } from './redis-link';

export interface GlobalPresenceTiming {
  /** How long a relay counts as alive after its last heartbeat. */
  aliveTtlMs: number;
  /** How often it refreshes its alive key and looks for dead relays. */
  heartbeatMs: number;
}

/** Dead relays' users show offline within aliveTtlMs + heartbeatMs (12 s), well inside 30 s. */
export const DEFAULT_TIMING: GlobalPresenceTiming = { aliveTtlMs: 10_000, heartbeatMs: 2_000 };

/** A presence read that Redis does not answer in this time fails the event (internal). */
const READ_TIMEOUT_MS = 3_000;

/** How long a claimed slot stays taken unless it becomes a socket or is given back first:
 * a handshake needs milliseconds from claim to socket, and a dead relay's claims should
 * lapse about when its sockets leave the counts (DEFAULT_TIMING). */
const CLAIM_TTL_MS = 10_000;

const PREFIX = 'relaychat:presence:';
const RELAYS = `${PREFIX}relays`;
const ONLINE = `${PREFIX}online`;
const aliveKey = (relayId: string): string => `${PREFIX}relay:${relayId}:alive`;
const socketsKey = (relayId: string): string => `${PREFIX}relay:${relayId}:sockets`;
const claimsKey = (userId: string): string => `${PREFIX}claims:${userId}`;

function asNumber(reply: unknown): number {
  if (typeof reply !== 'number') throw new Error(`unexpected presence script reply ${String(reply)}`);
  return reply;
}

function asStrings(reply: unknown): string[] {
  if (!Array.isArray(reply) || !reply.every((x): x is string => typeof x === 'string')) throw new Error('unexpected presence script reply');
  return reply;
}

export class GlobalPresence implements PresenceTracker {
  readonly shared = true;
  readonly relayId = randomUUID();
  private readonly local = new Map<string, number>();
  /** This relay's handshakes on their way in; those of them also held in Redis are in `inRedis`. */
  private readonly claims = new LocalClaims();
  private readonly inRedis = new Set<string>();
  private readonly reads: RedisLink;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private registering: Promise<void> | null = null;
  /** Whether the last heartbeat failed, so a Redis outage is logged once, not every beat. */
  private failing = false;

  private constructor(
    private readonly redis: RedisLink,
    private readonly onEdge: EdgeListener,
    private readonly log: Logger,
    private readonly timing: GlobalPresenceTiming,
  ) {
    this.reads = redis.withCommandOptions({ timeout: READ_TIMEOUT_MS });
  }

  /** Registers this relay (with no sockets yet) and starts its heartbeat. */
  static async start(redis: RedisLink, onEdge: EdgeListener, log: Logger, timing = DEFAULT_TIMING): Promise<GlobalPresence> {
    const p = new GlobalPresence(redis, onEdge, log, timing);
    await p.register();
    p.timer = setInterval(() => void p.tick(), timing.heartbeatMs);
    p.timer.unref();
    return p;
  }

  async isOnline(userId: string): Promise<boolean> {
    return (await this.reads.hExists(ONLINE, userId)) === 1;
  }

  async onlineAmong(userIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (userIds.length === 0) return new Set();
    const counts = await this.reads.hmGet(ONLINE, [...userIds]);
    return new Set(userIds.filter((_, i) => counts[i] !== null));
  }

  socketCount(userId: string): number {
    return this.local.get(userId) ?? 0;
  }

  async claim(userId: string, cap: number): Promise<string | null> {
    if (this.redis.isReady) {
      const claimId = randomUUID();
      try {
        const taken = asNumber(await this.reads.eval(CLAIM, { keys: [ONLINE, claimsKey(userId)], arguments: [userId, claimId, String(cap), String(CLAIM_TTL_MS)] }));
        if (taken === 0) return null;
        this.inRedis.add(claimId);
        return this.claims.add(userId, claimId);
      } catch (err) {
        // had the script run after all, its claim lapses by itself (CLAIM_TTL_MS)
        this.log.warn({ err }, 'could not claim a connection slot in Redis; counting this relay alone for it');
      }
    }
    // Redis away: refusing every connection would shut everyone out, so the cap is kept
    // per relay meanwhile (its sockets and handshakes), as a relay alone keeps it.
    if (this.socketCount(userId) + this.claims.count(userId) >= cap) return null;
    return this.claims.add(userId);
  }

  release(userId: string, claimId: string): void {
    if (!this.claims.delete(claimId) || !this.inRedis.delete(claimId)) return;
    this.redis.zRem(claimsKey(userId), claimId).catch((err: unknown) => this.log.warn({ err }, 'could not give a connection slot back in Redis; it lapses by itself'));
  }

  connected(userId: string, claimId?: string): Promise<boolean> {
    // counted here at once (the fallback cap reads it); Redis hears it in the same order
    this.local.set(userId, this.socketCount(userId) + 1);
    const held = claimId !== undefined && this.claims.delete(claimId) && this.inRedis.delete(claimId);
    return this.change(userId, 1, held ? claimId : '');
  }

  disconnected(userId: string): Promise<boolean> {
    const n = this.socketCount(userId) - 1;
    if (n <= 0) this.local.delete(userId);
    else this.local.set(userId, n);
    return this.change(userId, -1);
  }

  /** `claimId`: the Redis claim this socket's handshake took, turned into the socket ('' for none). */
  private async change(userId: string, delta: 1 | -1, claimId = ''): Promise<boolean> {
    const keys = [RELAYS, socketsKey(this.relayId), ONLINE, claimsKey(userId)];
    const reply = asNumber(await this.redis.eval(CHANGE, { keys, arguments: [this.relayId, userId, String(delta), claimId] }));
    if (reply !== -1) return reply === 1;
    // taken for dead: registering again counts this socket too, and announces its edges
    await this.reregister();
    return false;
  }

  private reregister(): Promise<void> {
    this.registering ??= this.register().finally(() => (this.registering = null));
    return this.registering;
  }

  /** Counts every socket this relay holds now; commands sent later apply on top. */
  private async register(): Promise<void> {
    const args = [this.relayId, String(this.timing.aliveTtlMs)];
    for (const [userId, n] of this.local) args.push(userId, String(n));
    const keys = [RELAYS, aliveKey(this.relayId), socketsKey(this.relayId), ONLINE];
    const edges = asStrings(await this.redis.eval(REGISTER, { keys, arguments: args }));
    if (edges.length) this.log.warn({ relayId: this.relayId, users: edges.length }, "counted this relay's sockets into Redis again (it had been taken for dead, or Redis came back empty)");
    for (const userId of edges) this.onEdge(userId, true);
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const alive = asNumber(await this.redis.eval(HEARTBEAT, { keys: [RELAYS, aliveKey(this.relayId)], arguments: [this.relayId, String(this.timing.aliveTtlMs)] }));
      if (alive === 0) await this.reregister();
      for (const other of await this.redis.sMembers(RELAYS)) if (other !== this.relayId) await this.remove(other, false);
      if (this.failing) this.log.info('presence heartbeat works again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.error({ err }, 'presence heartbeat failed; retrying');
      this.failing = true;
    } finally {
      this.ticking = false;
    }
  }

  /** Takes a relay out of the counts: a dead one, or this one leaving (`force`). */
  private async remove(relayId: string, force: boolean): Promise<void> {
    const keys = [RELAYS, aliveKey(relayId), socketsKey(relayId), ONLINE];
    const edges = asStrings(await this.redis.eval(REMOVE, { keys, arguments: [relayId, force ? '1' : '0'] }));
    if (edges.length && !force) this.log.warn({ relayId, users: edges.length }, 'a relay stopped without leaving; its users are offline now');
    for (const userId of edges) this.onEdge(userId, false);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.ticking) await new Promise((r) => setTimeout(r, 10));
    this.local.clear();
    await this.remove(this.relayId, true);
  }
}
