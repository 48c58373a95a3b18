// Who is in a chat, kept in memory for the hot paths (send, typing, read, history),
// so a message costs no membership query. Every membership change in this process
// goes through the rules, which call forget(); a generation number keeps a load that
// raced a change from caching the old answer. With MongoDB another relay process can
// change membership too, so entries there also expire after a short time.
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

  /** The chat's current member ids, or null when there is no such chat. */
  async membersOf(chatId: string): Promise<readonly string[] | null> {
    const hit = this.entries.get(chatId);
    if (hit && (this.ttlMs === null || Date.now() - hit.at < this.ttlMs)) return hit.memberIds;
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
    this.entries.delete(chatId);
    this.generations.set(chatId, (this.generations.get(chatId) ?? 0) + 1);
  }
}
