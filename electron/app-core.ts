// The desktop app's main-process logic wired together, with every Electron API passed
// in: main.ts hands it BrowserWindows, Notifications and ipcMain; the tests hand it
// stand-ins and a real relay, and drive it through the real preload and bridge.
import type { ServerEvent, ServerPayloads } from '../protocol/types';
import type { ConnectionState } from '../renderer/bridge/types';
import { registerIpcHandlers, type IpcMainPort } from './ipc';
import { Notifier, type NotificationPort } from './notifications';
import { PUSH } from './preload-api';
import type { CreateLink } from './relay-link';
import { chatOfOutgoing, chatOfServerEvent, windowsFor } from './routing';
import { DesktopSession, type SessionAuth, type SessionTokens } from './session';
import { UnreadTally } from './unread-tally';
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
  /** The dock/taskbar badge: the unread total, kept here whether or not a window is open. */
  setBadge(count: number): void;
  /** Do not disturb: invites and messages do not notify. */
  doNotDisturb(): boolean;
  platform: NodeJS.Platform;
  log(message: string): void;
}

export interface DesktopCore {
  windows: WindowRegistry;
  session: DesktopSession;
  notifier: Notifier;
  unread: UnreadTally;
  /** Connection and sign-in changes (the tray shows who is signed in). */
  onStateChange(cb: (state: ConnectionState) => void): () => void;
}

export function createDesktopCore(deps: DesktopCoreDeps): DesktopCore {
  const windows = new WindowRegistry(deps.windowFactory);
  const unread = new UnreadTally();
  unread.onChange((total) => deps.setBadge(total));
  const selfId = () => session.user()?.id ?? null;
  const stateListeners = new Set<(state: ConnectionState) => void>();
  // Declared before the session so its listeners can reach it; set right below.
  let notifier: Notifier | null = null;

  const session = new DesktopSession(deps.relayUrl, deps.auth, deps.tokens, deps.createLink, {
    serverEvent<E extends ServerEvent>(event: E, payload: ServerPayloads[E]) {
      const chatId = chatOfServerEvent(event, payload);
      for (const win of windowsFor(chatId, windows)) win.send(PUSH.server, event, payload);
      notifier?.handleServerEvent(event, payload);
      countUnread(event, payload);
      // Left (here or on another device): that chat's window has nothing left to show.
      if (event === 'chat:left' && chatId) windows.closeChat(chatId);
    },
    state(state) {
      for (const win of windows.all()) win.send(PUSH.state, state);
      for (const cb of stateListeners) cb(state);
    },
    outgoing(update) {
      for (const win of windowsFor(chatOfOutgoing(update), windows)) win.send(PUSH.outgoing, update);
      if (update.kind === 'sent') unread.message(update.message, selfId());
    },
    catchUp(chatId, messages) {
      for (const win of windowsFor(chatId, windows)) win.send(PUSH.catchUp, chatId, messages);
      for (const m of messages) unread.message(m, selfId());
    },
    sync({ chats }) {
      unread.sync(chats);
      // Left or deleted while this app was away (or closed): those windows have nothing to show.
      const listed = new Set(chats.map((c) => c.id));
      for (const chatId of windows.openChatIds()) if (!listed.has(chatId)) windows.closeChat(chatId);
    },
    readMoved(chatId, seq) {
      unread.read(chatId, seq);
    },
    signedOut() {
      windows.closeAllChats();
      notifier?.clear();
      unread.clear();
      deps.setBadge(0);
    },
  });

  function countUnread<E extends ServerEvent>(event: E, payload: ServerPayloads[E]): void {
    if (event === 'chat:joined') unread.joined((payload as ServerPayloads['chat:joined']).chat);
    else if (event === 'chat:message') unread.message((payload as ServerPayloads['chat:message']).message, selfId());
    else if (event === 'chat:member') unread.entry((payload as ServerPayloads['chat:member']).message);
    else if (event === 'chat:read') {
      const { chatId, seq } = payload as ServerPayloads['chat:read'];
      unread.read(chatId, seq);
    } else if (event === 'chat:left') unread.left((payload as ServerPayloads['chat:left']).chatId);
  }

  notifier = new Notifier({
    port: deps.notifications,
    acceptInvite: (inviteId) => session.request('invite:accept', { inviteId }),
    openChat: (chatId) => windows.openChat(chatId),
    tellRenderer: (action) => windows.main()?.send(PUSH.notificationAction, action),
    selfUserId: selfId,
    focusedView: () => windows.focusedView(),
    muted: deps.doNotDisturb,
    platform: deps.platform,
  });

  registerIpcHandlers(deps.ipc, {
    session,
    isRendererUrl: deps.isRendererUrl,
    roleOf: (id) => windows.roleOf(id),
    openChat: (chatId) => void windows.openChat(chatId),
    setViewing: (id, chatId) => windows.setViewing(id, chatId),
    log: deps.log,
  });

  return {
    windows,
    session,
    notifier,
    unread,
    onStateChange(cb) {
      stateListeners.add(cb);
      return () => stateListeners.delete(cb);
    },
  };
}
