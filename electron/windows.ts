// Which windows exist: one main window and at most one window per open chat, keyed by
// chatId. Electron's BrowserWindow sits behind AppWindow so this runs in plain Node.
import type { PushChannel } from './preload-api';
import type { WindowKind } from './security';

export interface AppWindow {
  /** webContents.id: what an IPC event's sender carries. */
  readonly contentsId: number;
  /** Shows, restores when minimized, and focuses. */
  focus(): void;
  close(): void;
  isFocused(): boolean;
  isDestroyed(): boolean;
  send(channel: PushChannel, ...args: unknown[]): void;
  onClosed(cb: () => void): void;
}

export interface WindowFactory {
  create(target: { kind: 'main' } | { kind: 'chat'; chatId: string }): AppWindow;
}

export type WindowRole = { kind: 'main' } | { kind: 'chat'; chatId: string };

/** The window the user is looking at and which chat it shows, if any. */
export type FocusedView = { kind: WindowKind; chatId: string | null } | null;

export class WindowRegistry {
  private mainWindow: AppWindow | null = null;
  private readonly chats = new Map<string, AppWindow>();
  /** Which chat each window shows, as its renderer last told us (setFocusedChat). */
  private readonly viewing = new Map<number, string | null>();
  private readonly chatListeners = new Set<(chatIds: string[]) => void>();

  constructor(private readonly factory: WindowFactory) {}

  /** Creates the main window, or focuses it when it exists. */
  showMain(): AppWindow {
    const existing = this.live(this.mainWindow);
    if (existing) {
      existing.focus();
      return existing;
    }
    const win = this.factory.create({ kind: 'main' });
    this.mainWindow = win;
    win.onClosed(() => {
      if (this.mainWindow === win) this.mainWindow = null;
      this.viewing.delete(win.contentsId);
    });
    return win;
  }

  /** Opens the chat's own window, or focuses the one already open. */
  openChat(chatId: string): AppWindow {
    const existing = this.live(this.chats.get(chatId) ?? null);
    if (existing) {
      existing.focus();
      return existing;
    }
    const win = this.factory.create({ kind: 'chat', chatId });
    this.chats.set(chatId, win);
    this.viewing.set(win.contentsId, chatId);
    win.onClosed(() => {
      if (this.chats.get(chatId) === win) {
        this.chats.delete(chatId);
        this.chatsChanged();
      }
      this.viewing.delete(win.contentsId);
    });
    this.chatsChanged();
    return win;
  }

  closeChat(chatId: string): void {
    const win = this.chats.get(chatId);
    if (!win) return;
    this.chats.delete(chatId);
    if (!win.isDestroyed()) win.close();
    this.chatsChanged();
  }

  /** Called with the open chat windows' ids whenever one opens or closes. */
  onChatsChanged(cb: (chatIds: string[]) => void): () => void {
    this.chatListeners.add(cb);
    return () => this.chatListeners.delete(cb);
  }

  private chatsChanged(): void {
    const ids = this.openChatIds();
    for (const cb of this.chatListeners) cb(ids);
  }

  closeAllChats(): void {
    for (const chatId of [...this.chats.keys()]) this.closeChat(chatId);
  }

  main(): AppWindow | null {
    return this.live(this.mainWindow);
  }

  chatWindow(chatId: string): AppWindow | null {
    return this.live(this.chats.get(chatId) ?? null);
  }

  openChatIds(): string[] {
    return [...this.chats.keys()];
  }

  all(): AppWindow[] {
    const list = [this.mainWindow, ...this.chats.values()];
    return list.filter((w): w is AppWindow => w !== null && !w.isDestroyed());
  }

  /** What the window with this webContents id is to us; undefined when it is not ours. */
  roleOf(contentsId: number): WindowRole | undefined {
    const main = this.main();
    if (main && main.contentsId === contentsId) return { kind: 'main' };
    for (const [chatId, win] of this.chats) {
      if (win.contentsId === contentsId && !win.isDestroyed()) return { kind: 'chat', chatId };
    }
    return undefined;
  }

  /** A chat window always shows its own chat; the main window shows what it says. */
  setViewing(contentsId: number, chatId: string | null): void {
    const role = this.roleOf(contentsId);
    if (role?.kind === 'main') this.viewing.set(contentsId, chatId);
  }

  focusedView(): FocusedView {
    const main = this.main();
    if (main?.isFocused()) return { kind: 'main', chatId: this.viewing.get(main.contentsId) ?? null };
    for (const [chatId, win] of this.chats) {
      if (!win.isDestroyed() && win.isFocused()) return { kind: 'chat', chatId };
    }
    return null;
  }

  private live(win: AppWindow | null): AppWindow | null {
    return win && !win.isDestroyed() ? win : null;
  }
}
