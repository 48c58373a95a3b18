// The unread total for the tray and the dock/taskbar badge, kept by the main process
// itself: it must stay right while no window is open, so it cannot come from a
// renderer. Same rule as the renderer's chats store: unread = lastSeq - readSeq, and
// both only ever move forward.
import type { Chat, Message } from '../protocol/types';

interface Position {
  lastSeq: number;
  readSeq: number;
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
    const own = selfUserId !== null && message.sender.id === selfUserId;
    this.merge(message.chatId, message.seq, own ? message.seq : 0);
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
    for (const p of this.chats.values()) sum += Math.max(0, p.lastSeq - p.readSeq);
    return sum;
  }

  /** Called with the new total whenever it changes. */
  onChange(cb: (total: number) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private merge(chatId: string, lastSeq: number, readSeq: number): void {
    const p = this.chats.get(chatId) ?? { lastSeq: 0, readSeq: 0 };
    this.chats.set(chatId, { lastSeq: Math.max(p.lastSeq, lastSeq), readSeq: Math.max(p.readSeq, readSeq) });
  }

  private changed(): void {
    const total = this.total();
    if (total === this.reported) return;
    this.reported = total;
    for (const cb of this.listeners) cb(total);
  }
}
