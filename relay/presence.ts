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
  /** This relay's sockets of the user (the per-user socket cap counts these). */
  socketCount(userId: string): number;
  /** A socket connected here; resolves true when it brought the user online. */
  connected(userId: string): Promise<boolean>;
  /** A socket left here; resolves true when the user is now offline everywhere. */
  disconnected(userId: string): Promise<boolean>;
  /** Stops counting this relay's sockets; resolves once other relays no longer count them. */
  close(): Promise<void>;
}

/** Presence of one relay process on its own. */
export class Presence implements PresenceTracker {
  readonly shared = false;
  private readonly sockets = new Map<string, number>();

  async isOnline(userId: string): Promise<boolean> {
    return this.socketCount(userId) > 0;
  }

  async onlineAmong(userIds: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set(userIds.filter((id) => this.socketCount(id) > 0));
  }

  socketCount(userId: string): number {
    return this.sockets.get(userId) ?? 0;
  }

  async connected(userId: string): Promise<boolean> {
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
