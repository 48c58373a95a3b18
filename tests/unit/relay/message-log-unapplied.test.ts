// What the message log holds in memory until SQLite has it (Unapplied in
// relay/store/sqlite-message-log.ts): messages kept as the bytes written, found again
// by resend key (also when two keys share a hash), read back per chat in seq order,
// and let go once applied, dropped with their chat, or settled into SQLite.
import { describe, expect, it } from 'vitest';
import { encodeRecord, resendHash, Unapplied, type LoggedMessage, type WrittenBatch } from '../../../relay/store/sqlite-message-log';

const at = '2030-01-01T00:00:00.000Z';
const msg = (chatId: string, seq: number, senderId = 'u1', clientMsgId = `${chatId}-c${seq}`): LoggedMessage => ({
  id: `${chatId}-id${seq}`,
  chatId,
  seq,
  senderId,
  body: `body ${seq} of ${chatId}`,
  clientMsgId,
  createdAt: at,
});

/** A batch as MessageLogFile.write returns it, ending at log position `from` + its bytes. */
function batchOf(messages: LoggedMessage[], from: number): WrittenBatch {
  const parts = messages.map((m) => encodeRecord(7, m));
  const starts = new Uint32Array(parts.length + 1);
  parts.forEach((p, i) => (starts[i + 1] = starts[i]! + p.length));
  return { records: Buffer.concat(parts), starts, end: from + starts[parts.length]! };
}

/** Adds batches one after the other; returns each one's end position. */
function fill(state: Unapplied, batches: LoggedMessage[][]): number[] {
  let pos = state.endPos;
  return batches.map((messages) => {
    const b = batchOf(messages, pos);
    state.add(b, messages);
    return (pos = b.end);
  });
}

/** Two resend keys in chat `c` with the same 30-bit hash, found by search (about 2^15 tries). */
function collidingKeys(chatId: string): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const key = `k${i}`;
    const h = resendHash(chatId, 'u1', key);
    const other = seen.get(h);
    if (other !== undefined) return [other, key];
    seen.set(h, key);
  }
}

describe('Unapplied', () => {
  it('finds a message by its resend key and reads a chat back in seq order', () => {
    const state = new Unapplied();
    fill(state, [
      [msg('a', 1), msg('b', 1), msg('a', 2)],
      [msg('a', 3), msg('b', 2)],
    ]);
    expect(state.size).toBe(5);
    expect(state.find('a', 'u1', 'a-c2')).toEqual(msg('a', 2));
    expect(state.find('a', 'u2', 'a-c2')).toBeUndefined();
    expect(state.find('b', 'u1', 'a-c2')).toBeUndefined();
    expect(state.ofChat('a').map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(state.countOf('b')).toBe(2);
    expect(state.at('b', 1)).toEqual(msg('b', 2));
    expect(Object.fromEntries(state.lastSeq)).toEqual({ a: 3, b: 2 });
  });

  it('tells apart two keys that share a hash, before and after either is let go', () => {
    const [k1, k2] = collidingKeys('c');
    expect(resendHash('c', 'u1', k1)).toBe(resendHash('c', 'u1', k2));
    const state = new Unapplied();
    const [end1] = fill(state, [[msg('c', 1, 'u1', k1)], [msg('c', 2, 'u1', k2)]]);
    expect(state.find('c', 'u1', k1)?.seq).toBe(1);
    expect(state.find('c', 'u1', k2)?.seq).toBe(2);
    // the first is applied: only the second is held, and still found
    expect(state.appliedThroughSome(end1!, Infinity)).toBe(true);
    expect(state.find('c', 'u1', k1)).toBeUndefined();
    expect(state.find('c', 'u1', k2)?.seq).toBe(2);
    expect(state.ofChat('c').map((m) => m.seq)).toEqual([2]);
  });

  it('lets go of applied batches a few at a time, up to the position applied', () => {
    const state = new Unapplied();
    const ends = fill(state, [[msg('a', 1)], [msg('a', 2)], [msg('b', 1)], [msg('a', 3)]]);
    // applied through the third batch, one batch per call
    expect(state.appliedThroughSome(ends[2]!, 1)).toBe(false);
    expect(state.appliedThroughSome(ends[2]!, 1)).toBe(false);
    expect(state.durablePos).toBe(0);
    expect(state.appliedThroughSome(ends[2]!, 1)).toBe(true);
    expect(state.durablePos).toBe(ends[2]);
    expect(state.size).toBe(1);
    expect(state.ofChat('a').map((m) => m.seq)).toEqual([3]);
    expect(state.countOf('b')).toBe(0);
    expect(state.find('a', 'u1', 'a-c1')).toBeUndefined();
    // the seqs known stay: the next append to b takes 2 without asking SQLite
    expect(state.lastSeq.get('b')).toBe(1);
    expect(state.held()).toMatchObject({ from: ends[2], to: ends[3] });
    expect(state.held().records).toHaveLength(1);
  });

  it('forgets a deleted chat at once, and a settled chat for reads and seqs only', () => {
    const state = new Unapplied();
    fill(state, [[msg('gone', 1), msg('kept', 1), msg('gone', 2), msg('settled', 1)]]);
    state.drop('gone');
    expect(state.ofChat('gone')).toEqual([]);
    expect(state.find('gone', 'u1', 'gone-c1')).toBeUndefined();
    expect(state.lastSeq.has('gone')).toBe(false);
    state.settled('settled');
    expect(state.ofChat('settled')).toEqual([]);
    expect(state.lastSeq.has('settled')).toBe(false);
    // a settled chat's messages still answer a resend, until the chat is deleted
    expect(state.find('settled', 'u1', 'settled-c1')?.seq).toBe(1);
    state.drop('settled');
    expect(state.find('settled', 'u1', 'settled-c1')).toBeUndefined();
    expect(state.ofChat('kept').map((m) => m.seq)).toEqual([1]);
    // the records stay for the applier until applied (it skips a deleted chat's)
    expect(state.size).toBe(4);
    expect(state.appliedThroughSome(state.endPos, Infinity)).toBe(true);
    expect(state.size).toBe(0);
    expect(state.ofChat('kept')).toEqual([]);
  });
});
