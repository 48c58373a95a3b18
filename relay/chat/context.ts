// What every chat rule gets: the store, who is online, a clock and id source, and
// settings. Rules return what to emit; only relay/sockets.ts knows about socket.io.
import { randomUUID } from 'node:crypto';
import type { ServerEvent, ServerPayloads } from '../../protocol/types';
import type { Store } from '../store/types';
import type { MembershipCache } from './membership';
import type { UserDirectory } from './users';

/** Who is online: on every relay, when several are joined (an answer may need Redis). */
export interface PresenceView {
  isOnline(userId: string): Promise<boolean>;
  /** The ones among `userIds` who are online, asked all at once. */
  onlineAmong(userIds: readonly string[]): Promise<ReadonlySet<string>>;
}

export interface RuleContext {
  store: Store;
  presence: PresenceView;
  users: UserDirectory;
  membership: MembershipCache;
  now(): Date;
  newId(): string;
  inviteTtlMs: number;
}

/** One event for a set of users (all their sockets), optionally skipping one socket. */
export interface Emit<E extends ServerEvent = ServerEvent> {
  to: readonly string[];
  event: E;
  payload: ServerPayloads[E];
  exceptSocketId?: string;
}

export type AnyEmit = { [E in ServerEvent]: Emit<E> }[ServerEvent];

export interface Outcome<R> {
  result: R;
  emits: AnyEmit[];
}

export function emit<E extends ServerEvent>(to: readonly string[], event: E, payload: ServerPayloads[E], exceptSocketId?: string): AnyEmit {
  return { to, event, payload, exceptSocketId } as AnyEmit;
}

export const newId = (): string => randomUUID();
