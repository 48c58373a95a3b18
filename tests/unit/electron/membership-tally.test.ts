// The desktop app's unread total (dock/taskbar badge) with membership entries, through
// the real main-process core against a real relay: "Cyd left" takes a seq but is never
// unread, and no notification is shown for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../renderer/bridge/types';
import { startRelay, type RelayProcess } from '../../helpers/relay-process';
import { befriend, inviteAndAccept, ok, signUp, waitFor } from '../../helpers/clients';
import { createDesktop, loadPreload, until, type Desktop } from './desktop-harness';

let relay: RelayProcess;
let d: Desktop | null = null;
beforeAll(async () => {
  relay = await startRelay();
});
afterAll(async () => {
  d?.dispose();
  await relay?.stop();
  relay?.cleanup();
});

describe('unread total with membership entries', () => {
  it('counts messages only, whether the reader was up to date or had older unread messages', async () => {
    d = createDesktop(relay.url, loadPreload);
    const { bridge } = await d.mainWindow();
    let online = false;
    bridge.onState((s: ConnectionState) => (online ||= s.status === 'online'));
    const annName = `ann_${process.pid}_${Date.now() % 100000}`;
    expect((await bridge.register(annName, 'password123', 'Ann')).ok).toBe(true);
    await until('online', () => online);

    const bob = await signUp(relay.url, 'bob');
    const cyd = await signUp(relay.url, 'cyd');
    try {
      await befriend(bob, cyd);
      const asked = waitFor(bob.socket, 'friend:added');
      expect((await bridge.request('friends:request', { username: bob.user.username })).ok).toBe(true);
      await ok(bob.socket, 'friends:accept', { username: annName });
      await asked;
      // Bob's direct chat with Ann, forked into a group with Cyd.
      const received = waitFor(bob.socket, 'chat:joined');
      const { invite } = await ok(bob.socket, 'invite:create', { to: annName });
      const accepted = await bridge.request('invite:accept', { inviteId: invite.id });
      if (!accepted.ok) throw new Error(accepted.error.message);
      await received;
      const group = await inviteAndAccept(bob, cyd, accepted.chat.id);
      await until('group known to the tally', () => d!.core.unread.total() === 0 && d!.syncs() >= 1);

      // Ann has read everything (nothing yet): Cyd leaving makes nothing unread.
      const annSawLeave = new Promise<void>((resolve) => {
        const off = bridge.on('chat:member', (p) => {
          if (p.chatId === group.id && p.change === 'left') {
            off();
            resolve();
          }
        });
      });
      await ok(cyd.socket, 'chat:leave', { chatId: group.id });
      await annSawLeave;
      expect(d.core.unread.total()).toBe(0);

      // A message, then Cyd back: one unread, not two.
      await ok(bob.socket, 'chat:send', { chatId: group.id, clientMsgId: 'one', body: 'one' });
      await until('message counted', () => d!.core.unread.total() === 1);
      const annSawJoin = new Promise<void>((resolve) => {
        const off = bridge.on('chat:member', (p) => {
          if (p.chatId === group.id && p.change === 'joined') {
            off();
            resolve();
          }
        });
      });
      await inviteAndAccept(bob, cyd, group.id);
      await annSawJoin;
      expect(d.core.unread.total()).toBe(1);
      expect(d.badges.filter((n) => n > 1)).toEqual([]);
      // Entries notify nobody; only Bob's message did.
      expect(d.notifications.filter((n) => !n.title.includes('invites you')).map((n) => n.body)).toEqual(['one']);
    } finally {
      bob.socket.close();
      cyd.socket.close();
    }
  }, 30_000);
});
