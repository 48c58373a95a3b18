// The Bridge in the desktop app: every call goes over the preload's typed API to the
// main process, which holds the one relay connection for all windows.
import type { RelayChatApi } from '../../electron/preload-api';
import type { Bridge, ConnectionState } from './types';

export function createElectronBridge(api: RelayChatApi | undefined = window.relaychat): Bridge {
  if (!api) throw new Error('window.relaychat is missing: not running under the desktop preload');
  return {
    platform: 'electron',

    restoreSession: () => api.session.restore(),
    register: (username, password, displayName) => api.session.register(username, password, displayName),
    login: (username, password) => api.session.login(username, password),
    logout: () => api.session.logout(),

    request: (event, payload) => api.request(event, payload),
    on: (event, cb) => api.events.onServer(event, cb),
    onState(cb) {
      // A window opened after sign-in must learn the current state, not just later changes.
      let changed = false;
      const off = api.events.onState((state: ConnectionState) => {
        changed = true;
        cb(state);
      });
      void api.session.state().then((state) => {
        if (!changed) cb(state);
      });
      return off;
    },
    retryNow: () => api.session.retryNow(),

    send: (chatId, body) => api.chat.send(chatId, body),
    pending: (chatId) => api.chat.pending(chatId),
    onOutgoing: (cb) => api.events.onOutgoing(cb),
    onCatchUp: (cb) => api.events.onCatchUp(cb),

    openChat: (chatId) => api.chat.open(chatId),
    onNotificationAction: (cb) => api.events.onNotificationAction(cb),
    // The main process keeps the badge itself (electron/unread-tally.ts): it must stay
    // right while no window is open, so no window's count may overwrite it.
    setBadge: () => undefined,
    setFocusedChat: (chatId) => api.chat.setFocused(chatId),
  };
}
