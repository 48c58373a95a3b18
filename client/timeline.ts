// What the client has already shown of each chat, so a message is delivered once
// however it arrives (live event, catch-up page, our own send's ack, or all three),
// and where to resume after a reconnect (docs/protocol.md rule 9): after the highest
// seq below which nothing is missing, not the highest seen. With several relays live
// messages can arrive out of seq order (n+1 before n); resuming after n+1 would skip n
// for good.
import type { Message } from '../protocol/types';

interface ChatTimeline {
  /** Highest seq seen. */
  lastSeq: number;
  /** Every message with seq <= floor counts as seen (ids below it were pruned or never loaded). */
  floor: number;
  /** Recently seen ids and their seqs. */
  seen: Map<string, number>;
}

/** How many ids per chat are remembered individually before the oldest are folded into `floor`. */
const DEFAULT_ID_WINDOW = 2000;

export class Timeline {
  private readonly chats = new Map<string, ChatTimeline>();

  constructor(private readonly idWindow = DEFAULT_ID_WINDOW) {}

  /**
   * Records a message. True when it was not seen before, i.e. it should be shown.
   */
  accept(message: Message): boolean {
    const chat = this.entry(message);
    if (message.seq <= chat.floor) return false;
    const fresh = !chat.seen.has(message.id);
    chat.seen.set(message.id, message.seq);
    if (message.seq > chat.lastSeq) chat.lastSeq = message.seq;
    if (chat.seen.size > this.idWindow) this.prune(chat);
    return fresh;
  }

  /**
   * Records that a message was shown without moving lastSeq: for our own sends
   * acknowledged while earlier messages of the chat may still be missing, so a later
   * catch-up neither skips the gap nor shows our message a second time.
   */
  markSeen(message: Message): void {
    const chat = this.entry(message);
    if (message.seq > chat.floor) chat.seen.set(message.id, message.seq);
  }

  /** Records a batch and returns the unseen ones, ascending by seq. */
  acceptAll(messages: readonly Message[]): Message[] {
    return [...messages].sort((a, b) => a.seq - b.seq).filter((m) => this.accept(m));
  }

  /**
   * Starts tracking a chat whose earlier messages the client will load on demand
   * (a chat first seen in chat:list or chat:joined): everything up to `lastSeq`
   * counts as already handled. Never moves a tracked chat back.
   */
  baseline(chatId: string, lastSeq: number): void {
    const chat = this.chats.get(chatId);
    if (!chat) {
      this.chats.set(chatId, { lastSeq, floor: lastSeq, seen: new Map() });
      return;
    }
    // Tracked already through a live message that beat the chat list: what the list
    // says came before is handled the same way (on demand), never caught up later.
    if (lastSeq <= chat.floor) return;
    chat.floor = lastSeq;
    chat.lastSeq = Math.max(chat.lastSeq, lastSeq);
    for (const [id, seq] of chat.seen) if (seq <= chat.floor) chat.seen.delete(id);
  }

  forget(chatId: string): void {
    this.chats.delete(chatId);
  }

  has(chatId: string): boolean {
    return this.chats.has(chatId);
  }

  lastSeq(chatId: string): number | undefined {
    return this.chats.get(chatId)?.lastSeq;
  }

  /** Resume points of every tracked chat, taken at one instant: each the highest seq
   * with every seq up to it seen. */
  snapshot(): Map<string, number> {
    return new Map([...this.chats].map(([id, c]) => [id, this.contiguous(c)]));
  }

  private contiguous(chat: ChatTimeline): number {
    const seqs = new Set(chat.seen.values());
    let n = chat.floor;
    while (seqs.has(n + 1)) n++;
    return n;
  }

  private entry(message: Message): ChatTimeline {
    let chat = this.chats.get(message.chatId);
    if (!chat) {
      chat = { lastSeq: 0, floor: 0, seen: new Map() };
      this.chats.set(message.chatId, chat);
    }
    return chat;
  }

  /** Keeps the newest half of the window; older seqs are covered by the floor. */
  private prune(chat: ChatTimeline): void {
    const seqs = [...chat.seen.values()].sort((a, b) => a - b);
    const cut = seqs[seqs.length - Math.floor(this.idWindow / 2) - 1];
    if (cut === undefined) return;
    chat.floor = Math.max(chat.floor, cut);
    for (const [id, seq] of chat.seen) if (seq <= chat.floor) chat.seen.delete(id);
  }
}
