// Rule 1: a user is online while at least one authenticated socket of theirs is
// connected. Only the edges (first socket in, last socket out) are announced, to the
// user's friends and everyone who shares an active chat with them.
import type { User } from '../protocol/types';
import type { Store } from './store/types';
import { emit, type AnyEmit, type PresenceView } from './chat/context';

export class Presence implements PresenceView {
  private readonly sockets = new Map<string, number>();

  isOnline(userId: string): boolean {
    return (this.sockets.get(userId) ?? 0) > 0;
  }

  socketCount(userId: string): number {
    return this.sockets.get(userId) ?? 0;
  }

  /** Returns true when this socket brought the user online. */
  connected(userId: string): boolean {
    const n = (this.sockets.get(userId) ?? 0) + 1;
    this.sockets.set(userId, n);
    return n === 1;
  }

  /** Returns true when this socket was the user's last. */
  disconnected(userId: string): boolean {
    const n = (this.sockets.get(userId) ?? 0) - 1;
    if (n <= 0) this.sockets.delete(userId);
    else this.sockets.set(userId, n);
    return n <= 0;
  }
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
