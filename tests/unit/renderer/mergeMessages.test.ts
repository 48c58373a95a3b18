import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Message } from '../../../protocol/types';
import { mergeMessages } from '../../../renderer/stores/mergeMessages';

const sender = { id: 'u1', username: 'ann', displayName: 'Ann' };
const msg = (seq: number): Message => ({
  id: `m${seq}`,
  chatId: 'c1',
  seq,
  kind: 'text',
  sender,
  body: `body ${seq}`,
  clientMsgId: `k${seq}`,
  createdAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
});
const seqs = (ms: Message[]) => ms.map((m) => m.seq);

describe('mergeMessages', () => {
  it('appends, prepends and fills gaps in seq order', () => {
    const base = [msg(5), msg(6)];
    expect(seqs(mergeMessages(base, [msg(7), msg(8)]))).toEqual([5, 6, 7, 8]);
    expect(seqs(mergeMessages(base, [msg(3), msg(4)]))).toEqual([3, 4, 5, 6]);
    expect(seqs(mergeMessages([msg(1), msg(9)], [msg(5), msg(3)]))).toEqual([1, 3, 5, 9]);
  });

  it('drops overlap between live messages, history pages and catch-up', () => {
    expect(seqs(mergeMessages([msg(1), msg(2), msg(3)], [msg(3), msg(2), msg(4), msg(4)]))).toEqual([1, 2, 3, 4]);
  });

  it('returns the same array when nothing is new (no needless re-render)', () => {
    const base = [msg(1), msg(2)];
    expect(mergeMessages(base, [msg(2)])).toBe(base);
    expect(mergeMessages(base, [])).toBe(base);
  });

  it('always yields the sorted set union of seqs, whatever the batches', () => {
    const batch = fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 40 });
    fc.assert(
      fc.property(fc.array(batch, { maxLength: 8 }), (batches) => {
        let list: Message[] = [];
        for (const b of batches) list = mergeMessages(list, b.map(msg));
        const expected = [...new Set(batches.flat())].sort((a, b) => a - b);
        expect(seqs(list)).toEqual(expected);
      }),
    );
  });
});
