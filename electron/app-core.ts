// The desktop app's main-process logic wired together, with every Electron API passed
// in: main.ts hands it BrowserWindows, Notifications and ipcMain; the tests hand it
// stand-ins and a real relay, and drive it through the real preload and bridge.
import type { ServerEvent, ServerPayloads } from '../protocol/types';
import { registerIpcHandlers, type IpcMainPort } from './ipc';
import { Notifier, type NotificationPort } from './notifications';
import { PUSH } from './preload-api';
import type { CreateLink } from './relay-link';
import { chatOfOutgoing, chatOfServerEvent, windowsFor } from './routing';
import { DesktopSession, type SessionAuth, type SessionTokens } from './session';
import { WindowRegistry, type WindowFactory } from './windows';

export interface DesktopCoreDeps {
  relayUrl: string;
  windowFactory: WindowFactory;
  notifications: NotificationPort;
  ipc: IpcMainPort;
  auth: SessionAuth;
  tokens: SessionTokens;
  createLink: CreateLink;
  isRendererUrl(url: string): boolean;
  setBadge(count: number): void;
  log(message: string): void;
}

export interface DesktopCore {
  windows: WindowRegistry;
  session: DesktopSession;
  notifier: Notifier;
}

export function createDesktopCore(deps: DesktopCoreDeps): DesktopCore {
  const windows = new WindowRegistry(deps.windowFactory);
  // Declared before the session so its listeners can reach it; set right below.
  let notifier: Notifier | null = null;

  const session = new DesktopSession(deps.relayUrl, deps.auth, deps.tokens, deps.createLink, {
    serverEvent<E extends ServerEvent>(event: E, payload: ServerPayloads[E]) {
      const chatId = chatOfServerEvent(event, payload);
      for (const win of windowsFor(chatId, windows)) win.send(PUSH.server, event, payload);
      notifier?.handleServerEvent(event, payload);
      // Left (here or on another device): that chat's window has nothing left to show.
      if (event === 'chat:left' && chatId) windows.closeChat(chatId);
    },
    state(state) {
      for (const win of windows.all()) win.send(PUSH.state, state);
    },
    outgoing(update) {
      for (const win of windowsFor(chatOfOutgoing(update), windows)) win.send(PUSH.outgoing, update);
    },
    catchUp(chatId, messages) {
      for (const win of windowsFor(chatId, windows)) win.send(PUSH.catchUp, chatId, messages);
    },
    signedOut() {
      windows.closeAllChats();
      notifier?.clear();
      deps.setBadge(0);
    },
  });

  notifier = new Notifier({
    port: deps.notifications,
    acceptInvite: (inviteId) => session.request('invite:accept', { inviteId }),
    openChat: (chatId) => windows.openChat(chatId),
    tellRenderer: (action) => windows.main()?.send(PUSH.notificationAction, action),
    selfUserId: () => session.user()?.id ?? null,
    focusedView: () => windows.focusedView(),
  });

  registerIpcHandlers(deps.ipc, {
    session,
    isRendererUrl: deps.isRendererUrl,
    roleOf: (id) => windows.roleOf(id),
    openChat: (chatId) => void windows.openChat(chatId),
    setViewing: (id, chatId) => windows.setViewing(id, chatId),
    setBadge: deps.setBadge,
    log: deps.log,
  });

  return { windows, session, notifier };
}
