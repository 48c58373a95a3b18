// The Electron main process: wiring only. Each decision lives in a small module
// beside this one (security, windows, routing, notifications, ipc, session) that is
// unit-tested without Electron.
import { app, BrowserWindow, ipcMain, Notification, protocol, safeStorage, session as electronSession, shell } from 'electron';
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

function browserWindowFor(target: { kind: 'main' } | { kind: 'chat'; chatId: string }): AppWindow {
  const win = new BrowserWindow({
    width: target.kind === 'main' ? 1000 : 640,
    height: target.kind === 'main' ? 720 : 600,
    minWidth: 360,
    minHeight: 400,
    show: false,
    title: 'Relay Chat',
    icon: iconPath,
    webPreferences: webPreferencesFor(target.kind, preloadPath),
  });
  const contentsId = win.webContents.id;
  win.once('ready-to-show', () => win.show());
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
}
const testHooks: TestHooks | null = process.env.RELAYCHAT_TEST_HOOKS === '1' ? { notifications: [] } : null;
if (testHooks) (globalThis as { __relaychatTest?: TestHooks }).__relaychatTest = testHooks;

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
      // Not every desktop shows a badge (Linux needs a Unity launcher); nothing to do then.
      try {
        app.setBadgeCount(count);
      } catch (err) {
        log(`badge: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
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
    started.windows.showMain();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) started.windows.showMain();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => core?.session.shutdown());
}
