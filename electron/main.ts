// The Electron main process: wiring only. Each decision lives in a small module
// beside this one (security, windows, routing, notifications, ipc, session) that is
// unit-tested without Electron.
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  session as electronSession,
  shell,
  Tray,
  type MenuItemConstructorOptions,
} from 'electron';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as auth from '../client/auth';
import { RelayConnection } from '../client/connection';
import { FileQueueStorage } from '../client/file-queue-storage';
import { resolveRelayUrl } from './app-config';
import { createDesktopCore, type DesktopCore } from './app-core';
import { AppStateFile } from './app-state';
import { DesktopShell, type TrayPort } from './desktop-shell';
import type { IpcMainPort } from './ipc';
import { mimeTypeOf, rendererFileFor } from './renderer-files';
import {
  CONTENT_SECURITY_POLICY,
  RENDERER_SCHEME,
  attachNavigationGuards,
  isRendererUrl,
  rendererUrl,
  webPreferencesFor,
} from './security';
import { TokenStore } from './token-store';
import { DEFAULT_TRAY_ICON_SIZE, TRAY_ICON_SIZE, withUnreadDot } from './tray-icon';
import type { TrayMenuItem } from './tray-menu';
import { HIDDEN_ARG, OsLoginItem, XdgAutostart, autostartDir, type LoginItem } from './login-item';
import { restorableBounds } from './window-bounds';
import type { AppWindow } from './windows';

const here = dirname(fileURLToPath(import.meta.url)); // out/main
const preloadPath = join(here, '../preload/index.cjs');
const rendererDir = join(here, '../renderer');
// Packaged: copied next to app.asar by electron-builder's extraResources.
const iconPath = app.isPackaged ? join(process.resourcesPath, 'icon.png') : join(here, '../../build/icons/icon.png');
// electron-vite's dev server, in development only; packaged apps always use app://.
const devServerUrl = !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null;

const log = (message: string) => console.warn(`[relaychat] ${message}`);

// Tests and second profiles run side by side with their own data (and own instance lock).
if (process.env.RELAYCHAT_USER_DATA) app.setPath('userData', process.env.RELAYCHAT_USER_DATA);

protocol.registerSchemesAsPrivileged([
  { scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function readPackageJson(): unknown {
  try {
    return JSON.parse(readFileSync(join(app.getAppPath(), 'package.json'), 'utf8'));
  } catch {
    return null;
  }
}

const relayUrl = resolveRelayUrl({ env: process.env, packageJson: readPackageJson(), warn: log });

const appState = new AppStateFile(app.getPath('userData'), log);
let desktopShell: DesktopShell | null = null;

const SAVE_BOUNDS_DELAY_MS = 500;

/** Saves the main window's place as the user moves it, and once more as it closes. */
function rememberMainWindow(win: BrowserWindow): void {
  let timer: NodeJS.Timeout | null = null;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (win.isDestroyed() || win.isMinimized()) return;
    // Normal bounds: a maximized window reopens maximized over the place it came from.
    const b = win.getNormalBounds();
    const bounds = { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) };
    desktopShell?.saveMainWindow({ bounds, maximized: win.isMaximized() });
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, SAVE_BOUNDS_DELAY_MS);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', save);
}

function browserWindowFor(target: { kind: 'main' } | { kind: 'chat'; chatId: string }): AppWindow {
  const saved = target.kind === 'main' ? appState.get().mainWindow : undefined;
  const bounds = restorableBounds(saved?.bounds, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    width: target.kind === 'main' ? 1000 : 640,
    height: target.kind === 'main' ? 720 : 600,
    ...bounds,
    minWidth: 360,
    minHeight: 400,
    show: false,
    title: 'Relay Chat',
    icon: iconPath,
    webPreferences: webPreferencesFor(target.kind, preloadPath, app.isPackaged),
  });
  const contentsId = win.webContents.id;
  if (target.kind === 'main') rememberMainWindow(win);
  win.once('ready-to-show', () => {
    // Maximized only once there is something to show: maximize() shows a hidden window.
    if (saved?.maximized) win.maximize();
    win.show();
    showOverlay(win);
  });
  void win.loadURL(devServerUrl ? rendererUrl(target, devServerUrl) : rendererUrl(target));
  return {
    contentsId,
    focus() {
      if (win.isDestroyed()) return;
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
    close: () => {
      if (!win.isDestroyed()) win.close();
    },
    isFocused: () => !win.isDestroyed() && win.isFocused(),
    isDestroyed: () => win.isDestroyed(),
    send(channel, ...args) {
      if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(channel, ...args);
    },
    onClosed: (cb) => {
      win.on('closed', cb);
    },
  };
}

const tokens = new TokenStore(app.getPath('userData'), safeStorage, log);

/** Each user's unsent messages in a file of their own, so none is ever sent as someone else. */
function outboxFileFor(relay: string, userId: string): string {
  const key = createHash('sha256').update(`${relay}\n${userId}`).digest('hex').slice(0, 24);
  return join(app.getPath('userData'), 'outbox', `${key}.json`);
}

let core: DesktopCore | null = null;

/**
 * Native notifications cannot be clicked by a test driver, so with
 * RELAYCHAT_TEST_HOOKS=1 (set only by tests/electron) the main process keeps each
 * notification's text and click handler where Playwright's electronApp.evaluate can
 * reach them. Main-process only: no page can see it.
 */
interface TestHooks {
  notifications: Array<{ title: string; body: string; click: () => void }>;
  /** What the tray shows now, and its menu's commands (a native menu cannot be clicked by a driver). */
  tray: Parameters<TrayPort['show']>[0] | null;
  trayCommand: ((id: string) => Promise<void>) | null;
}
// Never in an installed build: there, nothing but the user drives the app.
const testHooks: TestHooks | null =
  process.env.RELAYCHAT_TEST_HOOKS === '1' && !app.isPackaged ? { notifications: [], tray: null, trayCommand: null } : null;
if (testHooks) (globalThis as { __relaychatTest?: TestHooks }).__relaychatTest = testHooks;

let unreadBadge = 0;
let overlayIcon: Electron.NativeImage | null = null;

function showOverlay(win: BrowserWindow): void {
  if (process.platform !== 'win32' || win.isDestroyed()) return;
  if (unreadBadge === 0) return win.setOverlayIcon(null, '');
  const size = 16;
  overlayIcon ??= nativeImage.createFromBitmap(withUnreadDot(Buffer.alloc(size * size * 4), size, size, 0.5), { width: size, height: size });
  win.setOverlayIcon(overlayIcon, `${unreadBadge} unread`);
}

function trayIconSize(): number {
  return TRAY_ICON_SIZE[process.platform] ?? DEFAULT_TRAY_ICON_SIZE;
}

function menuTemplate(items: TrayMenuItem[]): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'label':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => void desktopShell?.command(item.id) };
      case 'checkbox':
        return { type: 'checkbox', label: item.label, checked: item.checked, click: () => void desktopShell?.command(item.id) };
    }
  });
}

function createTray(): TrayPort {
  const size = trayIconSize();
  const plain = nativeImage.createFromPath(iconPath).resize({ width: size, height: size, quality: 'best' });
  const { width, height } = plain.getSize();
  const dotted = plain.isEmpty() ? plain : nativeImage.createFromBitmap(withUnreadDot(plain.toBitmap(), width, height), { width, height });
  const tray = new Tray(plain);
  tray.setToolTip('Relay Chat');
  // Windows and most Linux trays: a click on the icon opens the app; the menu is on right-click.
  tray.on('click', () => void desktopShell?.command('open'));
  let last = '';
  return {
    show(view) {
      if (testHooks) testHooks.tray = view;
      const key = JSON.stringify(view);
      if (key === last) return;
      last = key;
      tray.setToolTip(view.tooltip);
      if (process.platform === 'darwin') tray.setTitle(view.title);
      tray.setImage(view.unread > 0 ? dotted : plain);
      tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(view.menu)));
    },
  };
}

function loginItem(): LoginItem {
  if (process.platform !== 'linux') return new OsLoginItem(app, process.platform);
  // How to start this app again: the AppImage file itself (its mount point changes each
  // run), the installed executable, or Electron with this app's folder in development.
  const command = process.env.APPIMAGE ? [process.env.APPIMAGE] : app.isPackaged ? [process.execPath] : [process.execPath, app.getAppPath()];
  return new XdgAutostart(autostartDir(process.env), command, log);
}

/** Started by the OS at login: come up in the tray only. */
function startedHidden(): boolean {
  if (process.argv.includes(HIDDEN_ARG)) return true;
  return process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}

function startCore(): DesktopCore {
  return createDesktopCore({
    relayUrl,
    windowFactory: { create: browserWindowFor },
    notifications: {
      isSupported: () => Notification.isSupported(),
      show({ title, body }, onClick) {
        testHooks?.notifications.push({ title, body, click: onClick });
        const n = new Notification({ title, body, icon: iconPath });
        n.on('click', onClick);
        n.show();
        return { close: () => n.close() };
      },
    },
    ipc: ipcMain as unknown as IpcMainPort,
    auth,
    tokens,
    createLink: (s) => new RelayConnection({ url: s.relayUrl, storage: new FileQueueStorage(outboxFileFor(s.relayUrl, s.user.id)) }),
    isRendererUrl: (url) => isRendererUrl(url, devServerUrl),
    setBadge: (count) => {
      unreadBadge = count;
      // Windows has no app badge: the taskbar button gets a red dot overlay instead.
      if (process.platform === 'win32') {
        for (const win of BrowserWindow.getAllWindows()) showOverlay(win);
        return;
      }
      // Not every desktop shows a badge (Linux needs a Unity launcher); the tray says it then.
      try {
        app.setBadgeCount(count);
      } catch (err) {
        log(`badge: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    doNotDisturb: () => desktopShell?.doNotDisturb() ?? false,
    platform: process.platform,
    log,
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => core?.windows.showMain());
  // Windows shows notifications only for an app with a user model id (electron-builder's appId).
  if (process.platform === 'win32') app.setAppUserModelId('chat.relay.desktop');

  // Every webContents, whatever created it, is kept inside our renderer.
  app.on('web-contents-created', (_event, contents) => {
    attachNavigationGuards(
      {
        onWillNavigate: (l) => contents.on('will-navigate', (e) => l(e, e.url)),
        onWillRedirect: (l) => contents.on('will-redirect', (e) => l(e, e.url)),
        onWillAttachWebview: (l) => contents.on('will-attach-webview', (e) => l(e)),
        setWindowOpenHandler: (h) => contents.setWindowOpenHandler(h),
      },
      (url) => void shell.openExternal(url),
    );
  });

  void app.whenReady().then(() => {
    protocol.handle(RENDERER_SCHEME, async (request) => {
      const file = rendererFileFor(request.url, rendererDir);
      if (!file) return new Response('not found', { status: 404 });
      try {
        const data = await readFile(file);
        return new Response(data, {
          headers: {
            'content-type': mimeTypeOf(file),
            'content-security-policy': CONTENT_SECURITY_POLICY,
            'x-content-type-options': 'nosniff',
          },
        });
      } catch {
        return new Response('not found', { status: 404 });
      }
    });
    // The page asks for nothing: notifications come from here, the rest it never needs.
    electronSession.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    electronSession.defaultSession.setPermissionCheckHandler(() => false);

    const started = startCore();
    core = started;
    const shellOfApp = new DesktopShell({
      core: started,
      state: appState,
      loginItem: loginItem(),
      tray: createTray(),
      platform: process.platform,
      quit: () => app.quit(),
    });
    desktopShell = shellOfApp;
    if (testHooks) testHooks.trayCommand = (id) => shellOfApp.command(id as Parameters<DesktopShell['command']>[0]);
    void shellOfApp.start({ hidden: startedHidden() });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) started.windows.showMain();
    });
  });

  // The last window closing leaves the app in the tray (dock on macOS), connected;
  // only Quit (tray menu, Cmd+Q, the OS logging out) ends it.
  app.on('window-all-closed', () => {
    if (desktopShell?.allWindowsClosed() ?? true) app.quit();
  });
  app.on('before-quit', () => {
    desktopShell?.beforeQuit();
    core?.session.shutdown();
  });
}
