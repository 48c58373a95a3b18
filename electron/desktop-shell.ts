// The app around the windows: the tray and its menu, Do not disturb, start at login,
// staying alive in the tray when the last window closes (so invites and messages keep
// arriving), and reopening what was open last time. Electron stays in main.ts: here
// it is a TrayPort, a LoginItem and a quit() function, so all of this is unit-tested.
import type { AppStateFile, MainWindowState } from './app-state';
import type { DesktopCore } from './app-core';
import type { LoginItem } from './login-item';
import { APP_NAME, trayMenu, trayTitle, trayTooltip, type TrayCommand, type TrayMenuItem, type TrayState } from './tray-menu';

export interface TrayPort {
  show(view: { tooltip: string; title: string; unread: number; menu: TrayMenuItem[] }): void;
}

export interface DesktopShellDeps {
  core: DesktopCore;
  state: AppStateFile;
  loginItem: LoginItem;
  tray: TrayPort;
  platform: NodeJS.Platform;
  /** Ends the app for real (Electron's app.quit()). */
  quit(): void;
}

export const TRAY_HINT = {
  title: `${APP_NAME} keeps running in the tray`,
  body: 'Invites and messages still reach you. To quit, use Quit in the tray menu.',
};

export class DesktopShell {
  private quitting = false;
  private connected = false;

  constructor(private readonly deps: DesktopShellDeps) {
    const { core } = deps;
    core.unread.onChange(() => this.refresh());
    core.onStateChange((s) => {
      this.connected = s.status === 'online';
      this.refresh();
    });
    core.windows.onChatsChanged((chatIds) => this.rememberChats(chatIds));
  }

  doNotDisturb(): boolean {
    return this.deps.state.get().doNotDisturb === true;
  }

  isQuitting(): boolean {
    return this.quitting;
  }

  /**
   * First thing after ready: connect with the kept token whether or not a window will
   * ask (started at login, the app has none), then open the main window unless hidden,
   * and the chat windows that were open last time for this same user.
   */
  async start(options: { hidden: boolean }): Promise<void> {
    const { core } = this.deps;
    this.refresh();
    const user = await core.session.restore();
    if (!options.hidden) core.windows.showMain();
    const saved = this.deps.state.get().openChats;
    if (!options.hidden && user && saved && saved.userId === user.id) {
      for (const chatId of saved.chatIds) core.windows.openChat(chatId);
    }
  }

  async command(id: TrayCommand): Promise<void> {
    const { core, state } = this.deps;
    switch (id) {
      case 'open':
        core.windows.showMain();
        break;
      case 'do-not-disturb':
        state.update({ doNotDisturb: !this.doNotDisturb() });
        break;
      case 'start-at-login':
        this.deps.loginItem.setEnabled(!this.deps.loginItem.isEnabled());
        break;
      case 'sign-out':
        await core.session.logout();
        // Signed out from the tray: show where to sign in again.
        core.windows.showMain();
        break;
      case 'quit':
        this.quitting = true;
        this.deps.quit();
        return;
    }
    this.refresh();
  }

  /**
   * The last window closed. On macOS the app stays in the dock, as every Mac app does;
   * elsewhere it stays in the tray (the connection is what brings notifications), and
   * says so the first time. Returns whether the app should quit now.
   */
  allWindowsClosed(): boolean {
    if (this.quitting) return true;
    if (this.deps.platform === 'darwin') return false;
    if (this.deps.state.get().trayHintShown !== true) {
      this.deps.state.update({ trayHintShown: true });
      this.deps.core.notifier.notice('tray-hint', TRAY_HINT.title, TRAY_HINT.body);
    }
    return false;
  }

  /** Quit from anywhere (menu, Cmd+Q, the OS logging out): windows closing now is not the user closing them. */
  beforeQuit(): void {
    this.quitting = true;
  }

  saveMainWindow(main: MainWindowState): void {
    this.deps.state.update({ mainWindow: main });
  }

  trayState(): TrayState {
    const user = this.deps.core.session.user();
    return {
      unread: user ? this.deps.core.unread.total() : 0,
      doNotDisturb: this.doNotDisturb(),
      startAtLogin: this.deps.loginItem.isEnabled(),
      signedInAs: user?.displayName ?? null,
      offline: user !== null && !this.connected,
    };
  }

  private refresh(): void {
    const s = this.trayState();
    this.deps.tray.show({ tooltip: trayTooltip(s), title: trayTitle(s), unread: s.unread, menu: trayMenu(s) });
  }

  private rememberChats(chatIds: string[]): void {
    if (this.quitting) return;
    const user = this.deps.core.session.user();
    this.deps.state.update({ openChats: user ? { userId: user.id, chatIds } : undefined });
  }
}
