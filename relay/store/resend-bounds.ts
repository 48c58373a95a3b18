// The resend check without a lookup, for clientMsgIds that sort after all of the
// sender's earlier ones. A chat:send is a resend when its (chat, sender, clientMsgId)
// is stored already; with the message log (sqlite.ts) what the log holds is checked in
// memory (Unapplied.find), and the rest needs a lookup in SQLite's unique index on
// those three: one B-tree descent of three text keys per message, about 6 µs, the
// largest share of the store's work on the event loop at 2,000 msg/s (bench/README.md).
// The desktop and web clients make time-ordered ids (client/client-msg-id.ts), so a
// new message's id is almost always greater than every id its sender has stored in
// that chat; knowing that greatest id, such a message is new without a lookup.
//
// Per (chat, sender) this keeps a bound: an id at least as great as every one of theirs
// in SQLite. It is exact about SQLite once `probed` (read from the index: one descent,
// once per pair), and every id appended through the log since the store opened raises
// it (noteAppended), probed or not, so that ids in the log reach SQLite already under
// it. Writes to the tables that bypass the log (the main connection's transactions)
// clear `probed` for their chats, so the next check reads the index again. An id above
// the bound is new; any other takes the lookup, as before. Ids are ASCII (the protocol's
// charset; membership entries' "<kind>:<id>"), where JavaScript's string order is
// SQLite's BINARY order.
interface Bound {
  max: string;
  probed: boolean;
}

export class ResendBounds {
  private readonly chats = new Map<string, Map<string, Bound>>();

  private bound(chatId: string, senderId: string): Bound | undefined {
    return this.chats.get(chatId)?.get(senderId);
  }

  private set(chatId: string, senderId: string, bound: Bound): void {
    let senders = this.chats.get(chatId);
    if (!senders) this.chats.set(chatId, (senders = new Map()));
    senders.set(senderId, bound);
  }

  /**
   * True when the id is certainly not stored in SQLite for this chat and sender.
   * `storedMax` reads the greatest one stored (null: none), when the bound is not exact.
   */
  isNew(chatId: string, senderId: string, clientMsgId: string, storedMax: () => string | null): boolean {
    let b = this.bound(chatId, senderId);
    if (!b?.probed) {
      const stored = storedMax() ?? '';
      const max = b && b.max > stored ? b.max : stored;
      this.set(chatId, senderId, (b = { max, probed: true }));
    }
    return clientMsgId > b.max;
  }

  /** An id was appended to the log (and will reach SQLite from there). */
  noteAppended(chatId: string, senderId: string, clientMsgId: string): void {
    const b = this.bound(chatId, senderId);
    if (!b) this.set(chatId, senderId, { max: clientMsgId, probed: false });
    else if (clientMsgId > b.max) b.max = clientMsgId;
  }

  /** Rows were written to these chats' messages past the log: read their bounds again. */
  unprobe(chats: readonly string[] | 'all'): void {
    const list = chats === 'all' ? [...this.chats.values()] : chats.map((c) => this.chats.get(c));
    for (const senders of list) if (senders) for (const b of senders.values()) b.probed = false;
  }

  /** The chat is deleted: nothing of it is stored, and its id is never used again. */
  drop(chatId: string): void {
    this.chats.delete(chatId);
  }

  /**
   * Nothing is held in the log any more (all of it is in SQLite): the bounds read from
   * the index from now on cover everything, so they can all go (memory).
   */
  clear(): void {
    this.chats.clear();
  }
}
