// RelayConnection and membership entries, against a real relay: a chat:member's entry is
// recorded in the Timeline (else its seq would look like a gap and be fetched again on
// every reconnect), and entries missed while away come back in the catch-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, ServerPayloads } from '../../../protocol/types';
import { RelayConnection } from '../../../client/connection';
import { MemoryQueueStorage } from '../../../client/queue-storage';
import { startRelay, type RelayProcess } from '../../helpers/relay-process';
import { inviteAndAccept, ok } from '../../helpers/clients';
import { closeAll, group, until } from '../../helpers/scenarios';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelay();
}, 60_000);
afterAll(async () => {
  await relay?.stop();
  relay?.cleanup();
});

describe('RelayConnection with membership entries', () => {
  it('records a live entry, and catches up missed entries once, in seq order', async () => {
    const { members, chat } = await group(relay.url, 3);
    const [ann, bob, cyd] = members as [NonNullable<(typeof members)[0]>, NonNullable<(typeof members)[1]>, NonNullable<(typeof members)[2]>];
    const conn = new RelayConnection({ url: relay.url, storage: new MemoryQueueStorage(), backoff: { baseMs: 50, maxMs: 200 } });
    const memberEvents: ServerPayloads['chat:member'][] = [];
    const live: Message[] = [];
    const caught: Message[] = [];
    let syncs = 0;
    conn.on('chat:member', (p) => memberEvents.push(p));
    conn.on('chat:message', ({ message }) => live.push(message));
    conn.onCatchUp((_chatId, messages) => caught.push(...messages));
    conn.onSync(() => syncs++);
    try {
      conn.start(bob.token);
      await until(() => syncs === 1, 10_000, 'first sync');

      // Live: Cyd leaves; Bob's connection hears the change with its entry.
      await ok(cyd.socket, 'chat:leave', { chatId: chat.id });
      await until(() => memberEvents.length === 1, 5000, 'chat:member');
      const left = memberEvents[0]!;
      expect(left.change).toBe('left');
      expect(left.message).toMatchObject({ chatId: chat.id, kind: 'left', sender: { id: cyd.user.id }, body: '', clientMsgId: '' });
      expect(left.message.seq).toBe(chat.lastSeq + 1);

      // Away: Ann writes, then brings Cyd back; Bob sees neither live.
      conn.dropTransport();
      await until(() => conn.state().status !== 'online', 5000, 'disconnected');
      const { message: sent } = await ok(ann.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'while-away', body: 'while you were away' });
      await inviteAndAccept(ann, cyd, chat.id);

      await until(() => syncs === 2, 10_000, 'second sync');
      // Only what was missed: the 'left' entry was recorded when it came live, so it is
      // not fetched again as if its seq were a gap.
      expect(caught.map((m) => [m.seq, m.kind])).toEqual([
        [sent.seq, 'text'],
        [sent.seq + 1, 'joined'],
      ]);
      expect(caught[1]!.sender.id).toBe(cyd.user.id);
      expect(live).toEqual([]);
    } finally {
      conn.stop();
      closeAll(...members);
    }
  }, 30_000);
});
