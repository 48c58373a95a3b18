// Rule 1: a user is online while at least one authenticated socket of theirs is
// connected, on any relay. Only the edges (first socket in, last socket out) are
// announced, to the user's friends and everyone who shares an active chat with them.
// One relay alone counts sockets in memory (this file); relays joined through Redis
// count them there (presence-global.ts).
import type { User } from '../protocol/types';
import type { Store } from './store/types';
import { emit, type AnyEmit, type PresenceView } from './chat/context';

/** Announces an edge found apart from a socket event (a dead relay's users going offline). */
export type EdgeListener = (userId: string, online: boolean) => void;

export interface PresenceTracker extends PresenceView {
  /** True when another process may announce the opposite edge meanwhile: an edge is
   * then checked against the current state just before it is announced. */
  readonly shared: boolean;
  /**
   * Takes one of the user's `cap` connection slots for a handshake (MAX_SOCKETS_PER_USER).
   * The user's sockets and the other handshakes still on their way in are counted and
   * the slot is taken in one step, so connections opened at once cannot all pass.
   * Resolves the claim's id, or null when every slot is taken.
   */
  claim(userId: string, cap: number): Promise<string | null>;
  /** Gives back a claim that did not become a socket (the client left mid-handshake, the
   * handshake was refused). Idempotent, and a no-op once the claim became a socket. */
  release(userId: string, claimId: string): void;
  /** A socket connected here, using the claim its handshake took (if any); resolves true
   * when it brought the user online. */
  connected(userId: string, claimId?: string): Promise<boolean>;
  /** A socket left here; resolves true when the user is now offline everywhere. */
  disconnected(userId: string): Promise<boolean>;
  /** Stops counting this relay's sockets; resolves once other relays no longer count them. */
  close(): Promise<void>;
}

/** Handshakes on their way in on this relay: claim id -> user, and a count per user. */
export class LocalClaims {
  private readonly users = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  private next = 0;

  count(userId: string): number {
    return this.counts.get(userId) ?? 0;
  }

  /** Records a claim (under `id` when Redis chose none yet) and returns its id. */
  add(userId: string, id = `local-${++this.next}`): string {
    this.users.set(id, userId);
    this.counts.set(userId, this.count(userId) + 1);
    return id;
  }

  /** Forgets a claim; false when it was not held (already given back or used). */
  delete(claimId: string): boolean {
    const userId = this.users.get(claimId);
    if (userId === undefined) return false;
    this.users.delete(claimId);
    const n = this.count(userId) - 1;
    if (n <= 0) this.counts.delete(userId);
    else this.counts.set(userId, n);
    return true;
  }
}

/** Presence of one relay process on its own. */
export class Presence implements PresenceTracker {
  readonly shared = false;
  private readonly sockets = new Map<string, number>();
  private readonly claims = new LocalClaims();

  async isOnline(userId: string): Promise<boolean> {
    return this.socketCount(userId) > 0;
  }

  async onlineAmong(userIds: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set(userIds.filter((id) => this.socketCount(id) > 0));
  }

  socketCount(userId: string): number {
    return this.sockets.get(userId) ?? 0;
  }

  // no await before the slot is taken: the check and the take are one synchronous step
  async claim(userId: string, cap: number): Promise<string | null> {
    if (this.socketCount(userId) + this.claims.count(userId) >= cap) return null;
    return this.claims.add(userId);
  }

  release(_userId: string, claimId: string): void {
    this.claims.delete(claimId);
  }

  async connected(userId: string, claimId?: string): Promise<boolean> {
    if (claimId !== undefined) this.claims.delete(claimId);
    const n = this.socketCount(userId) + 1;
    this.sockets.set(userId, n);
    return n === 1;
  }

  async disconnected(userId: string): Promise<boolean> {
    const n = this.socketCount(userId) - 1;
    if (n <= 0) this.sockets.delete(userId);
    else this.sockets.set(userId, n);
    return n <= 0;
  }

  async close(): Promise<void> {}
}

/** Who hears about `user` going online or offline. */
export async function presenceAudience(store: Store, userId: string): Promise<string[]> {
  const ids = new Set(await store.friendIds(userId));
  for (const m of await store.chatsOf(userId)) for (const id of m.chat.memberIds) ids.add(id);
  ids.delete(userId);
  return [...ids];
}

export async function presenceChange(store: Store, user: User, online: boolean): Promise<AnyEmit[]> {
  const to = await presenceAudience(store, user.id);
  return to.length ? [emit(to, 'presence', { user, online })] : [];
}
