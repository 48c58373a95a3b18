// The Bridge of the web client: the page itself holds the relay connection (client/),
// keeps the token in localStorage and the outgoing queue in IndexedDB, and shows
// browser notifications.
import { login as httpLogin, logout as httpLogout, register as httpRegister, type AuthResponse } from '../../client/auth';
import { RelayConnection } from '../../client/connection';
import { TypedEmitter } from '../../client/emitter';
import type { Message, User } from '../../protocol/types';
import type { AuthOutcome, Bridge, NotificationAction } from './types';
import { createBrowserQueueStorage } from './web/indexeddb-queue-storage';
import { forgetSession, forgetToken, keepSession, loadToken, loadUser } from './web/kept-session';
import { askNotificationPermission, notifyInvite, notifyMessage } from './web/notifier';

const BADGE_PREFIX = /^\(\d+\) /;

export function createWebBridge(relayUrl: string): Bridge {
  const connection = new RelayConnection({ url: relayUrl, storage: createBrowserQueueStorage() });
  const actions = new TypedEmitter<{ action: NotificationAction }>();
  let me: User | null = null;
  let token: string | null = null;
  let focusedChat: string | null = null;

  // A revoked token (sign-out on another tab or device): forget it, keep the user so
  // their unsent messages are still theirs if they sign in again.
  connection.onUnauthorized(() => {
    token = null;
    me = null;
    forgetToken();
  });

  connection.on('invite:received', ({ invite }) => {
    notifyInvite(invite, () => {
      void connection.request('invite:accept', { inviteId: invite.id }).then((res) => {
        if (res.ok) actions.emit('action', { kind: 'invite-accepted', chatId: res.chat.id });
      });
    });
  });

  function maybeNotify(message: Message): void {
    // A membership entry ("Cat joined") is no news worth a notification.
    if (!me || message.kind !== 'text' || message.sender.id === me.id) return;
    const looking = message.chatId === focusedChat && typeof document !== 'undefined' && !document.hidden;
    if (looking) return;
    notifyMessage(message, () => actions.emit('action', { kind: 'open-chat', chatId: message.chatId }));
  }

  connection.on('chat:message', ({ message }) => maybeNotify(message));
  // Back from being away: one notification per chat, for its newest message from someone else.
  connection.onCatchUp((_chatId, messages) => {
    const newest = messages.filter((m) => m.kind === 'text' && m.sender.id !== me?.id).at(-1);
    if (newest) maybeNotify(newest);
  });

  async function signIn(call: () => Promise<AuthResponse>): Promise<AuthOutcome> {
    const res = await call();
    if (!res.ok) return { ok: false, error: res.error };
    const previous = loadUser();
    // Someone else's unsent messages must never go out under this account.
    if (previous && previous.id !== res.user.id) await connection.clearQueue();
    keepSession(res.token, res.user);
    me = res.user;
    token = res.token;
    connection.start(res.token);
    void askNotificationPermission();
    return { ok: true, user: res.user };
  }

  return {
    platform: 'web',

    async restoreSession() {
      const keptToken = loadToken();
      const keptUser = loadUser();
      if (!keptToken || !keptUser) return null;
      if (token !== keptToken) {
        me = keptUser;
        token = keptToken;
        connection.start(keptToken);
      }
      return keptUser;
    },

    register: (username, password, displayName) => signIn(() => httpRegister(relayUrl, username, password, displayName)),
    login: (username, password) => signIn(() => httpLogin(relayUrl, username, password)),

    async logout() {
      const revoking = token;
      token = null;
      me = null;
      connection.stop();
      await connection.clearQueue();
      forgetSession();
      // Signing out offline still forgets the token here; the relay's copy then just ages.
      if (revoking) await httpLogout(relayUrl, revoking);
    },

    request: (event, payload) => connection.request(event, payload),
    on: (event, cb) => connection.on(event, cb),
    onState: (cb) => connection.onState(cb),
    // start() drops the waiting socket and connects at once, with the backoff reset.
    retryNow() {
      if (token) connection.start(token);
    },

    send: (chatId, body) => connection.send(chatId, body),
    pending: (chatId) => connection.pending(chatId),
    onOutgoing: (cb) => connection.onOutgoing(cb),
    onCatchUp: (cb) => connection.onCatchUp(cb),

    openChat(chatId) {
      actions.emit('action', { kind: 'open-chat', chatId });
    },
    onNotificationAction: (cb) => actions.on('action', cb),

    setBadge(count) {
      if (typeof document === 'undefined') return;
      const base = document.title.replace(BADGE_PREFIX, '');
      document.title = count > 0 ? `(${count}) ${base}` : base;
    },

    setFocusedChat(chatId) {
      focusedChat = chatId;
    },
  };
}
