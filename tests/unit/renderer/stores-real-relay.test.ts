// The Pinia stores driven through the real web bridge against a real relay (a child
// process on loopback), with a second user on a plain socket.io client. The page's
// URL is set to the relay's origin, as when the relay serves the web client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { createWebBridge } from '../../../renderer/bridge/web';
import { BridgeKey } from '../../../renderer/bridge/inject';
import { wireBridge } from '../../../renderer/app/wireBridge';
import { useSessionStore } from '../../../renderer/stores/session';
import { useFriendsStore } from '../../../renderer/stores/friends';
import { useInvitesStore } from '../../../renderer/stores/invites';
import { useChatsStore } from '../../../renderer/stores/chats';
import { useMessagesStore } from '../../../renderer/stores/messages';
import { useConnectionStore } from '../../../renderer/stores/connection';
import { useNoticesStore } from '../../../renderer/stores/notices';
import { startRelay, type RelayProcess } from '../../helpers/relay-process';
import { connect, ok, register, uniqueName, waitFor, type TestSocket } from '../../helpers/clients';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelay();
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(relay.url);
}, 60_000);
afterAll(async () => {
  await relay?.stop();
  relay?.cleanup();
});

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function mountStores() {
  const bridge = createWebBridge(relay.url);
  const app = createApp({ render: () => null });
  app.provide(BridgeKey, bridge);
  app.use(createPinia());
  return app.runWithContext(() => {
    wireBridge(bridge, { openJoinedChats: true });
    return {
      session: useSessionStore(),
      friends: useFriendsStore(),
      invites: useInvitesStore(),
      chats: useChatsStore(),
      messages: useMessagesStore(),
      connection: useConnectionStore(),
      notices: useNoticesStore(),
    };
  });
}

describe('stores through the web bridge and a real relay', () => {
  it('sign-up, friend request, invite, messages with local echo, unread and read', async () => {
    const s = mountStores();

    const annName = uniqueName('ann');
    expect(await s.session.register(annName, 'correct horse', 'Ann')).toBe(true);
    expect(s.session.user?.username).toBe(annName);
    await until('online', () => s.connection.state.status === 'online');

    const bob = await register(relay.url, uniqueName('bob'), 'correct horse', 'Bob');
    const bobSocket: TestSocket = await connect(relay.url, bob.token);
    try {
      await ok(bobSocket, 'friends:request', { username: annName });
      await until('friend request', () => s.friends.incoming.some((u) => u.id === bob.user.id));
      expect(await s.friends.accept(bob.user.username)).toBe(true);
      expect(s.friends.friends.map((f) => [f.username, f.online])).toEqual([[bob.user.username, true]]);

      const { invite } = await ok(bobSocket, 'invite:create', { to: annName });
      await until('invite', () => s.invites.incoming.some((i) => i.id === invite.id));
      expect(await s.invites.accept(invite.id)).toBe(true);
      const chatId = s.chats.openIds[0]!;
      expect(s.chats.activeId).toBe(chatId);
      await s.messages.ensureLoaded(chatId);

      // Bob writes twice: Ann's store has them in seq order, unread 2.
      await ok(bobSocket, 'chat:send', { chatId, clientMsgId: 'b1', body: 'one' });
      await ok(bobSocket, 'chat:send', { chatId, clientMsgId: 'b2', body: 'two' });
      const thread = s.messages.thread(chatId);
      await until('messages', () => thread.messages.value.length === 2);
      expect(thread.messages.value.map((m) => m.body)).toEqual(['one', 'two']);
      expect(s.chats.unread(chatId)).toBe(2);

      // Ann sends: a pending echo, then the stored message once; Bob receives it.
      const arrived = waitFor(bobSocket, 'chat:message', (p) => p.message.body === 'three');
      await s.messages.send(chatId, 'three');
      expect(thread.echoes.value.map((e) => e.body)).toEqual(['three']);
      expect((await arrived).message.sender.username).toBe(annName);
      await until('echo replaced', () => thread.echoes.value.length === 0);
      expect(thread.messages.value.map((m) => m.body)).toEqual(['one', 'two', 'three']);

      // Reading moves the relay's read position: a fresh chat:list agrees.
      await s.chats.markRead(chatId);
      expect(s.chats.unread(chatId)).toBe(0);
      await s.chats.load();
      expect(s.chats.byId[chatId]?.readSeq).toBe(s.chats.byId[chatId]?.lastSeq);

      // Leaving: the relay confirms, the tab closes, Bob is told.
      const left = waitFor(bobSocket, 'chat:member', (p) => p.change === 'left');
      expect(await s.chats.leave(chatId)).toBe(true);
      expect(s.chats.openIds).toEqual([]);
      expect((await left).user.username).toBe(annName);
    } finally {
      bobSocket.close();
      await s.session.logout();
    }
  }, 60_000);

  it('shows relay refusals as notices: username taken on the form, not_online and duplicate_members as toasts', async () => {
    const s = mountStores();
    const annName = uniqueName('ann');
    const taken = await register(relay.url, uniqueName('tak'), 'correct horse');
    expect(await s.session.register(taken.user.username, 'correct horse')).toBe(false);
    // The exact wording (username_taken) is asserted in tests/e2e/three-users.spec.ts.
    expect(s.session.authError).toBeTruthy();
    expect(await s.session.login(annName, 'correct horse')).toBe(false);
    expect(s.session.authError).toBe('Wrong username or password.');
    expect(await s.session.register(annName, 'correct horse', 'Ann')).toBe(true);
    await until('online', () => s.connection.state.status === 'online');

    // A friend who is offline cannot be invited; the refusal is shown, not swallowed.
    const cyd = await register(relay.url, uniqueName('cyd'), 'correct horse', 'Cyd');
    const cydSocket = await connect(relay.url, cyd.token);
    await ok(cydSocket, 'friends:request', { username: annName });
    await until('request', () => s.friends.incoming.length === 1);
    await s.friends.accept(cyd.user.username);
    cydSocket.close();
    await until('cyd offline', () => s.friends.friends.some((f) => f.id === cyd.user.id && !f.online));
    expect(await s.invites.create(cyd.user.username)).toBe(false);
    expect(s.notices.notices.at(-1)?.text).toContain('offline');

    // Inviting into an existing direct chat's member set names that chat.
    const cydAgain = await connect(relay.url, cyd.token);
    try {
      await until('cyd online', () => s.friends.isOnline(cyd.user.id));
      const inviteSeen = waitFor(cydAgain, 'invite:received');
      expect(await s.invites.create(cyd.user.username)).toBe(true);
      const { invite } = await inviteSeen;
      const { chat } = await ok(cydAgain, 'invite:accept', { inviteId: invite.id });
      await until('chat joined', () => chat.id in s.chats.byId);
      expect(await s.invites.create(cyd.user.username)).toBe(false);
      const refusal = s.notices.notices.at(-1)!;
      expect(refusal.text).toContain('already exists');
      s.chats.close(chat.id);
      await refusal.actions.find((a) => a.label === 'Open that chat')!.run();
      expect(s.chats.activeId).toBe(chat.id);
    } finally {
      cydAgain.close();
      await s.session.logout();
    }
  }, 60_000);
});
