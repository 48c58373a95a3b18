// Runs sandboxed before the page, with contextIsolation: exposes `window.relaychat`,
// a small set of named functions, each bound to one channel. ipcRenderer itself never
// reaches the page, and listeners get payloads only, never the IPC event (whose
// `sender` would be ipcRenderer).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ServerEvent } from '../protocol/types';
import { INVOKE, PUSH, SEND, isClientEvent, isServerEvent, type PushChannel, type RelayChatApi } from './preload-api';

function subscribe<A extends unknown[]>(channel: PushChannel, cb: (...args: A) => void): () => void {
  const listener = (_event: IpcRendererEvent, ...args: unknown[]) => cb(...(args as A));
  ipcRenderer.on(channel, listener);
  return () => {
    ipcRenderer.removeListener(channel, listener);
  };
}

const api: RelayChatApi = {
  session: {
    restore: () => ipcRenderer.invoke(INVOKE.restore),
    register: (username, password, displayName) => ipcRenderer.invoke(INVOKE.register, username, password, displayName),
    login: (username, password) => ipcRenderer.invoke(INVOKE.login, username, password),
    logout: () => ipcRenderer.invoke(INVOKE.logout),
    state: () => ipcRenderer.invoke(INVOKE.state),
    retryNow: () => ipcRenderer.send(SEND.retryNow),
  },
  request: (event, payload) => {
    if (!isClientEvent(event)) return Promise.reject(new TypeError(`unknown event ${String(event)}`));
    return ipcRenderer.invoke(INVOKE.request, event, payload);
  },
  chat: {
    send: (chatId, body) => ipcRenderer.invoke(INVOKE.send, chatId, body),
    pending: (chatId) => ipcRenderer.invoke(INVOKE.pending, chatId),
    open: (chatId) => ipcRenderer.send(SEND.openChat, chatId),
    setFocused: (chatId) => ipcRenderer.send(SEND.setFocused, chatId),
  },
  events: {
    onServer: (event, cb) => {
      if (!isServerEvent(event)) throw new TypeError(`unknown event ${String(event)}`);
      return subscribe(PUSH.server, (name: ServerEvent, payload: never) => {
        if (name === event) cb(payload);
      });
    },
    onState: (cb) => subscribe(PUSH.state, cb),
    onOutgoing: (cb) => subscribe(PUSH.outgoing, cb),
    onCatchUp: (cb) => subscribe(PUSH.catchUp, cb),
    onNotificationAction: (cb) => subscribe(PUSH.notificationAction, cb),
  },
};

contextBridge.exposeInMainWorld('relaychat', api);
