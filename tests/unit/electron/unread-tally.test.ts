import { describe, expect, it } from 'vitest';
import type { Chat, Message } from '../../../protocol/types';
import { UnreadTally } from '../../../electron/unread-tally';

const me = { id: 'u-me', username: 'me', displayName: 'Me' };
const ann = { id: 'u-ann', username: 'ann', displayName: 'Ann' };

function chat(id: string, lastSeq: number, readSeq: number): Chat {
  return { id, kind: 'direct', members: [], createdAt: '', lastSeq, readSeq };
}
function msg(chatId: string, seq: number, sender = ann): Message {
  return { id: `${chatId}-${seq}`, chatId, seq, sender, body: 'x', clientMsgId: `c${seq}`, createdAt: '' };
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
});
