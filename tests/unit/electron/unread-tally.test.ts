import { describe, expect, it } from 'vitest';
import type { Chat, Message } from '../../../protocol/types';
import { UnreadTally } from '../../../electron/unread-tally';

const me = { id: 'u-me', username: 'me', displayName: 'Me' };
const ann = { id: 'u-ann', username: 'ann', displayName: 'Ann' };

function chat(id: string, lastSeq: number, readSeq: number): Chat {
  return { id, kind: 'direct', members: [], createdAt: '', lastSeq, readSeq };
}
function msg(chatId: string, seq: number, sender = ann): Message {
  return { id: `${chatId}-${seq}`, chatId, seq, kind: 'text', sender, body: 'x', clientMsgId: `c${seq}`, createdAt: '' };
}
function entry(chatId: string, seq: number, kind: 'joined' | 'left' = 'left', who = ann): Message {
  return { id: `${chatId}-e${seq}`, chatId, seq, kind, sender: who, body: '', clientMsgId: '', createdAt: '' };
}

describe('UnreadTally', () => {
  it('counts lastSeq - readSeq over every chat, and reports each change once', () => {
    const t = new UnreadTally();
    const seen: number[] = [];
    t.onChange((n) => seen.push(n));
    t.sync([chat('a', 5, 2), chat('b', 1, 1)]);
    t.message(msg('b', 2), me.id);
    t.message(msg('b', 2), me.id); // the same message again (catch-up overlap)
    t.message(msg('a', 6, me), me.id); // mine: read by definition
    expect(t.total()).toBe(1);
    t.read('b', 2);
    expect(seen).toEqual([3, 4, 1, 0]);
  });

  it('never moves a position back, and forgets chats that were left', () => {
    const t = new UnreadTally();
    t.joined(chat('a', 4, 1));
    t.read('a', 3);
    t.read('a', 2);
    t.sync([chat('a', 2, 0)]); // an older list answer
    expect(t.total()).toBe(1);
    t.sync([]);
    expect(t.total()).toBe(0);
    t.joined(chat('c', 3, 0));
    t.left('c');
    t.read('c', 9);
    expect(t.total()).toBe(0);
    t.joined(chat('d', 2, 0));
    t.clear();
    expect(t.total()).toBe(0);
  });

  it('never counts a membership entry: a reader right before it moves past it', () => {
    const t = new UnreadTally();
    const seen: number[] = [];
    t.onChange((n) => seen.push(n));
    t.sync([chat('a', 3, 3)]);
    t.entry(entry('a', 4));
    expect(t.total()).toBe(0);
    // The same entry again from a catch-up page changes nothing.
    t.message(entry('a', 4), me.id);
    t.message(msg('a', 5), me.id);
    expect(t.total()).toBe(1);
    t.read('a', 5);
    expect(t.total()).toBe(0);
    // A list answered before the entry must not make it unread.
    t.sync([chat('a', 5, 3)]);
    expect(t.total()).toBe(0);
    expect(seen).toEqual([1, 0]);
  });

  it('leaves entries out of older unread messages, until they are read', () => {
    const t = new UnreadTally();
    t.sync([chat('a', 5, 3)]); // 4 and 5 unread
    t.entry(entry('a', 6, 'joined'));
    expect(t.total()).toBe(2);
    t.message(msg('a', 7), me.id);
    t.message(entry('a', 8), me.id); // a catch-up's entry, after an unread message
    expect(t.total()).toBe(3);
    t.read('a', 6); // read up to the entry: only 7 is left
    expect(t.total()).toBe(1);
    t.read('a', 8);
    expect(t.total()).toBe(0);
  });
});
