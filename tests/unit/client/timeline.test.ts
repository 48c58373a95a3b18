import { describe, expect, it } from 'vitest';
import type { Message } from '../../../protocol/types';
import { Timeline } from '../../../client/timeline';

function msg(chatId: string, seq: number, id = `${chatId}-m${seq}`): Message {
  return {
    id,
    chatId,
    seq,
    kind: 'text',
    sender: { id: 'u1', username: 'ann', displayName: 'Ann' },
    body: `message ${seq}`,
    clientMsgId: `c${seq}`,
    createdAt: new Date(0).toISOString(),
  };
}

describe('Timeline', () => {
  it('accepts a message once by id, however often it arrives', () => {
    const t = new Timeline();
    expect(t.accept(msg('a', 1))).toBe(true);
    expect(t.accept(msg('a', 1))).toBe(false);
    expect(t.accept(msg('a', 2))).toBe(true);
    expect(t.accept(msg('a', 2))).toBe(false);
  });

  it('keeps chats apart', () => {
    const t = new Timeline();
    expect(t.accept(msg('a', 1, 'same-id'))).toBe(true);
    expect(t.accept(msg('b', 1, 'other-id'))).toBe(true);
    expect(t.lastSeq('a')).toBe(1);
    expect(t.lastSeq('b')).toBe(1);
  });

  it('tracks lastSeq as the highest seq seen, also when messages arrive out of order', () => {
    const t = new Timeline();
    t.accept(msg('a', 5));
    t.accept(msg('a', 3));
    expect(t.lastSeq('a')).toBe(5);
    expect(t.accept(msg('a', 4))).toBe(true); // a gap below lastSeq is still filled
    expect(t.lastSeq('a')).toBe(5);
  });

  it('acceptAll returns only unseen messages, ascending by seq, without duplicates within the batch', () => {
    const t = new Timeline();
    t.accept(msg('a', 2));
    const got = t.acceptAll([msg('a', 4), msg('a', 1), msg('a', 2), msg('a', 3), msg('a', 4)]);
    expect(got.map((m) => m.seq)).toEqual([1, 3, 4]);
    expect(t.lastSeq('a')).toBe(4);
  });

  it('baseline treats everything up to the given seq as handled and does not move a tracked chat back', () => {
    const t = new Timeline();
    t.baseline('a', 10);
    expect(t.accept(msg('a', 10))).toBe(false);
    expect(t.accept(msg('a', 11))).toBe(true);
    t.baseline('a', 3);
    expect(t.lastSeq('a')).toBe(11);
    expect(t.accept(msg('a', 11))).toBe(false);
  });

  it('snapshot reports resume points of all tracked chats; forget drops one', () => {
    const t = new Timeline();
    t.baseline('a', 6);
    t.accept(msg('a', 7));
    t.baseline('b', 2);
    expect([...t.snapshot()].sort()).toEqual([
      ['a', 7],
      ['b', 2],
    ]);
    t.forget('a');
    expect(t.has('a')).toBe(false);
    expect([...t.snapshot()]).toEqual([['b', 2]]);
  });

  it('stays bounded in memory but still refuses old duplicates after pruning', () => {
    const t = new Timeline(10);
    for (let s = 1; s <= 100; s++) expect(t.accept(msg('a', s))).toBe(true);
    for (let s = 1; s <= 100; s++) expect(t.accept(msg('a', s))).toBe(false);
    expect(t.accept(msg('a', 101))).toBe(true);
  });
});

describe('resume point (rule 8 across relays: seq n+1 can arrive before n)', () => {
  it('resumes after the highest seq with nothing missing below it, not the highest seen', () => {
    const t = new Timeline();
    t.baseline('a', 5);
    t.accept(msg('a', 7)); // 6 is on its way from another relay
    expect(t.lastSeq('a')).toBe(7);
    expect(t.snapshot().get('a')).toBe(5);
    t.accept(msg('a', 6));
    expect(t.snapshot().get('a')).toBe(7);
    t.markSeen(msg('a', 9)); // our own, acknowledged; 8 not yet here
    expect(t.snapshot().get('a')).toBe(7);
    // Catching up after 7 fills the gap, and shows neither 9 nor anything else twice.
    expect(t.acceptAll([msg('a', 8), msg('a', 9)]).map((m) => m.seq)).toEqual([8]);
    expect(t.snapshot().get('a')).toBe(9);
  });
});

describe('a chat met through a live message before the chat list', () => {
  it('takes the list\'s lastSeq as handled, so a later catch-up does not start from 0', () => {
    const t = new Timeline();
    t.accept(msg('a', 42)); // live, before chat:list answered
    expect(t.snapshot().get('a')).toBe(0);
    t.baseline('a', 41);
    expect(t.snapshot().get('a')).toBe(42);
    expect(t.accept(msg('a', 40))).toBe(false);
  });
});

describe('Timeline.markSeen', () => {
  it('suppresses a later sighting without moving the resume point past a gap', () => {
    const t = new Timeline();
    t.accept(msg('a', 5));
    t.markSeen(msg('a', 9)); // our own message, acknowledged while 6-8 are not fetched yet
    expect(t.lastSeq('a')).toBe(5);
    expect(t.acceptAll([msg('a', 6), msg('a', 7), msg('a', 8), msg('a', 9)]).map((m) => m.seq)).toEqual([6, 7, 8]);
    expect(t.lastSeq('a')).toBe(9);
  });
});
