// The unread total for the tray and the dock/taskbar badge, kept by the main process
// itself: it must stay right while no window is open, so it cannot come from a
// renderer. Same rule as the renderer's chats store: unread = lastSeq - readSeq, less
// the membership entries ("Cat joined") seen in between, which take a seq but are never
// unread; both positions only ever move forward.
import type { Chat, Message } from '../protocol/types';

interface Position {
  lastSeq: number;
  readSeq: number;
  /** Seqs of membership entries seen that may lie above readSeq. */
  entries: number[];
}

export class UnreadTally {
  private readonly chats = new Map<string, Position>();
  private readonly listeners = new Set<(total: number) => void>();
  private reported = 0;

  /** A fresh chat list (after each connect): chats not in it were left while away. */
  sync(chats: readonly Chat[]): void {
    const listed = new Set(chats.map((c) => c.id));
    for (const id of [...this.chats.keys()]) if (!listed.has(id)) this.chats.delete(id);
    for (const chat of chats) this.merge(chat.id, chat.lastSeq, chat.readSeq);
    this.changed();
  }

  joined(chat: Chat): void {
    this.merge(chat.id, chat.lastSeq, chat.readSeq);
    this.changed();
  }

  /** A message of a chat we know; what I wrote myself is read by definition. */
  message(message: Message, selfUserId: string | null): void {
    // Catch-up pages bring membership entries along with the messages.
    if (message.kind !== 'text') return this.entry(message);
    const own = selfUserId !== null && message.sender.id === selfUserId;
    this.merge(message.chatId, message.seq, own ? message.seq : 0);
    this.changed();
  }

  /**
   * A membership entry (chat:member, or in a catch-up): lastSeq moves to it, and a read
   * position right before it moves too, as the relay does; one with older unread
   * messages stays, and the entry is left out of the count.
   */
  entry(entry: Message): void {
    const p = this.chats.get(entry.chatId) ?? { lastSeq: 0, readSeq: 0, entries: [] };
    const readSeq = p.readSeq === entry.seq - 1 ? entry.seq : p.readSeq;
    const entries = p.entries.includes(entry.seq) ? p.entries : [...p.entries, entry.seq];
    this.chats.set(entry.chatId, { lastSeq: Math.max(p.lastSeq, entry.seq), readSeq, entries: entries.filter((s) => s > readSeq) });
    this.changed();
  }

  read(chatId: string, seq: number): void {
    if (!this.chats.has(chatId)) return;
    this.merge(chatId, 0, seq);
    this.changed();
  }

  left(chatId: string): void {
    this.chats.delete(chatId);
    this.changed();
  }

  clear(): void {
    this.chats.clear();
    this.changed();
  }

  total(): number {
    let sum = 0;
    for (const p of this.chats.values()) {
      const entries = p.entries.filter((s) => s > p.readSeq && s <= p.lastSeq).length;
      sum += Math.max(0, p.lastSeq - p.readSeq - entries);
    }
    return sum;
  }

  /** Called with the new total whenever it changes. */
  onChange(cb: (total: number) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private merge(chatId: string, lastSeq: number, readSeq: number): void {
    const p = this.chats.get(chatId) ?? { lastSeq: 0, readSeq: 0, entries: [] };
    const read = Math.max(p.readSeq, readSeq);
    this.chats.set(chatId, { lastSeq: Math.max(p.lastSeq, lastSeq), readSeq: read, entries: p.entries.filter((s) => s > read) });
  }

  private changed(): void {
    const total = this.total();
    if (total === this.reported) return;
    this.reported = total;
    for (const cb of this.listeners) cb(total);
  }
}
