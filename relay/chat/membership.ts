// Who is in a chat, kept in memory for the hot paths (send, typing, read, history),
// so a message costs no membership query. Every membership change in this process
// goes through the rules, which call forget(); a generation number keeps a load that
// raced a change from caching the old answer. When other relay processes can change
// membership too (MongoDB, or relays joined through Redis), entries also expire after a
// short time, other relays' changes are told to this one (onForget, dropRemote), and a
// cached list that lacks the asking user is read again before it can answer not_found:
// a member who just joined on another relay is never turned away by a stale entry.
import type { Store } from '../store/types';

interface Entry {
  memberIds: readonly string[];
  at: number;
}

export class MembershipCache {
  private readonly entries = new Map<string, Entry>();
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly store: Store,
    /** null: entries never expire (the store has no other writer). */
    private readonly ttlMs: number | null,
    private readonly maxEntries = 100_000,
  ) {}

  /** Told of every change made here, so that other relays can drop their entry too. */
  onForget: ((chatId: string) => void) | null = null;

  /**
   * The chat's current member ids, or null when there is no such chat. `asker`: the
   * user who must be among them for the caller to go on (see the top of this file).
   */
  async membersOf(chatId: string, asker?: string): Promise<readonly string[] | null> {
    const hit = this.entries.get(chatId);
    const ttl = this.ttlMs;
    if (hit && ttl === null) return hit.memberIds;
    if (hit && ttl !== null && Date.now() - hit.at < ttl && (asker === undefined || hit.memberIds.includes(asker))) return hit.memberIds;
    const generation = this.generations.get(chatId) ?? 0;
    const chat = await this.store.getChat(chatId);
    if (!chat) return null;
    if ((this.generations.get(chatId) ?? 0) === generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(chatId, { memberIds: chat.memberIds, at: Date.now() });
    }
    return chat.memberIds;
  }

  /** Called after any change to the chat's members (join, leave, delete). */
  forget(chatId: string): void {
    this.dropRemote(chatId);
    this.onForget?.(chatId);
  }

  /** Another relay changed the chat's members. */
  dropRemote(chatId: string): void {
    this.entries.delete(chatId);
    this.generations.set(chatId, (this.generations.get(chatId) ?? 0) + 1);
  }
}
