// The per-sender bound that lets a new message skip the SQLite resend lookup
// (relay/store/resend-bounds.ts). storedMax stands for SQLite's greatest stored id.
import { describe, expect, it } from 'vitest';
import { ResendBounds } from '../../../relay/store/resend-bounds';

/** A stand-in for the index: the ids stored per "chat/sender", and how often it was read. */
function index() {
  const stored = new Map<string, string[]>();
  let reads = 0;
  return {
    store(chat: string, sender: string, id: string) {
      const k = `${chat}/${sender}`;
      stored.set(k, [...(stored.get(k) ?? []), id]);
    },
    max: (chat: string, sender: string) => () => {
      reads++;
      const ids = stored.get(`${chat}/${sender}`) ?? [];
      return ids.length ? ids.reduce((a, b) => (a > b ? a : b)) : null;
    },
    get reads() {
      return reads;
    },
  };
}

describe('ResendBounds', () => {
  it('reads the index once per chat and sender, then answers from memory', () => {
    const ix = index();
    ix.store('c1', 'u1', '0001');
    const b = new ResendBounds();
    expect(b.isNew('c1', 'u1', '0002', ix.max('c1', 'u1'))).toBe(true);
    b.noteAppended('c1', 'u1', '0002');
    expect(b.isNew('c1', 'u1', '0003', ix.max('c1', 'u1'))).toBe(true);
    expect(ix.reads).toBe(1);
    // not greater than what is stored or logged: the caller must look it up
    expect(b.isNew('c1', 'u1', '0001', ix.max('c1', 'u1'))).toBe(false);
    expect(b.isNew('c1', 'u1', '0002', ix.max('c1', 'u1'))).toBe(false);
    // another sender, another chat: each its own bound
    expect(b.isNew('c1', 'u2', '0001', ix.max('c1', 'u2'))).toBe(true);
    expect(b.isNew('c2', 'u1', '0001', ix.max('c2', 'u1'))).toBe(true);
    expect(ix.reads).toBe(3);
  });

  it('counts ids appended before the first read: they reach the index later, under the bound', () => {
    const ix = index();
    const b = new ResendBounds();
    // "b" is logged before anything of this sender was read; the index does not have it yet
    b.noteAppended('c1', 'u1', 'b');
    expect(b.isNew('c1', 'u1', 'a', ix.max('c1', 'u1'))).toBe(false);
    ix.store('c1', 'u1', 'b'); // applied
    // a resend of "b" must be looked up, though the index was read before it got there
    expect(b.isNew('c1', 'u1', 'b', ix.max('c1', 'u1'))).toBe(false);
    expect(b.isNew('c1', 'u1', 'c', ix.max('c1', 'u1'))).toBe(true);
  });

  it('reads the index again for chats written past the log, keeping what was logged', () => {
    const ix = index();
    const b = new ResendBounds();
    expect(b.isNew('c1', 'u1', 'm2', ix.max('c1', 'u1'))).toBe(true);
    b.noteAppended('c1', 'u1', 'm2');
    expect(b.isNew('c2', 'u1', 'm1', ix.max('c2', 'u1'))).toBe(true);
    // a bulk write puts "m9" in the index without the log
    ix.store('c1', 'u1', 'm9');
    b.unprobe(['c1']);
    expect(b.isNew('c1', 'u1', 'm9', ix.max('c1', 'u1'))).toBe(false);
    expect(ix.reads).toBe(3);
    // the logged "m2" still counts after the index is read again, even if the index lacks it
    const ix2 = index();
    b.unprobe('all');
    expect(b.isNew('c1', 'u1', 'm2', ix2.max('c1', 'u1'))).toBe(false);
    expect(b.isNew('c2', 'u1', 'm1', ix2.max('c2', 'u1'))).toBe(true);
  });

  it('forgets a dropped chat and everything on clear', () => {
    const ix = index();
    ix.store('c1', 'u1', 'z');
    const b = new ResendBounds();
    b.noteAppended('c1', 'u1', 'y');
    b.drop('c1');
    expect(b.isNew('c1', 'u1', 'y', () => null)).toBe(true);
    b.clear();
    expect(b.isNew('c1', 'u1', 'y', ix.max('c1', 'u1'))).toBe(false);
  });
});
