// electron/main.ts run in plain Node against a stand-in 'electron' module (the real one
// needs its binary): checks the wiring nothing else covers. Every window gets the
// locked webPreferences and our app:// URL, every webContents gets the navigation
// guards, app:// answers with the CSP and refuses paths outside the renderer, the
// page's permission requests are refused, and every IPC channel has a handler.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INVOKE, SEND } from '../../../electron/preload-api';
import { CONTENT_SECURITY_POLICY, webPreferencesFor } from '../../../electron/security';

type Fn = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const appListeners = new Map<string, Fn[]>();
  const state = {
    userData: '',
    windows: [] as Array<{ options: Record<string, unknown>; url: string; contentsId: number }>,
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (req: { url: string }) => Promise<Response>>(),
    ipcHandle: new Map<string, Fn>(),
    ipcOn: new Map<string, Fn>(),
    permissionRequest: null as null | Fn,
    permissionCheck: null as null | Fn,
    appListeners,
    ready: null as null | (() => void),
    quits: 0,
    notifications: [] as Array<{ title: string; body: string }>,
    trays: [] as Array<{ tooltip: string; menu: Array<{ label?: string; type?: string; checked?: boolean; click?: () => void }> }>,
  };
  let nextId = 1;
  class EventSource {
    readonly listeners = new Map<string, Fn[]>();
    on(name: string, fn: Fn) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
      return this;
    }
    once(name: string, fn: Fn) {
      return this.on(name, fn);
    }
  }
  class BrowserWindow extends EventSource {
    static all: BrowserWindow[] = [];
    static getAllWindows() {
      return BrowserWindow.all;
    }
    readonly webContents = { id: nextId++, send: () => undefined, isDestroyed: () => false };
    constructor(readonly options: Record<string, unknown>) {
      super();
      BrowserWindow.all.push(this);
    }
    loadURL(url: string) {
      state.windows.push({ options: this.options, url, contentsId: this.webContents.id });
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
    maximize() {}
    focused = 0;
    show() {}
    focus() {
      this.focused++;
    }
    restore() {}
    isMaximized() {
      return false;
    }
    isMinimized() {
      return false;
    }
    getNormalBounds() {
      return { x: 0, y: 0, width: 1000, height: 720 };
    }
  }
  const image = { getSize: () => ({ width: 24, height: 24 }), isEmpty: () => true, toBitmap: () => Buffer.alloc(24 * 24 * 4) };
  class Tray extends EventSource {
    readonly view = { tooltip: '', menu: [] as Array<{ label?: string; type?: string; checked?: boolean; click?: () => void }> };
    constructor() {
      super();
      state.trays.push(this.view);
    }
    setToolTip(t: string) {
      this.view.tooltip = t;
    }
    setTitle() {}
    setImage() {}
    setContextMenu(menu: { items: Array<{ label?: string; type?: string; checked?: boolean; click?: () => void }> }) {
      this.view.menu = menu.items;
    }
  }
  const electron = {
    app: {
      isPackaged: false,
      getPath: () => state.userData,
      setPath: () => undefined,
      getAppPath: () => process.cwd(),
      requestSingleInstanceLock: () => true,
      setAppUserModelId: () => undefined,
      setBadgeCount: () => true,
      getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: false }),
      setLoginItemSettings: () => undefined,
      quit: () => void state.quits++,
      on: (name: string, fn: Fn) => void appListeners.set(name, [...(appListeners.get(name) ?? []), fn]),
      whenReady: () => new Promise<void>((r) => (state.ready = r)),
    },
    BrowserWindow,
    ipcMain: {
      handle: (ch: string, fn: Fn) => void state.ipcHandle.set(ch, fn),
      on: (ch: string, fn: Fn) => void state.ipcOn.set(ch, fn),
    },
    Notification: class extends EventSource {
      static isSupported = () => true;
      constructor(readonly options: { title: string; body: string }) {
        super();
      }
      show() {
        state.notifications.push({ title: this.options.title, body: this.options.body });
      }
      close() {}
    },
    Tray,
    Menu: { buildFromTemplate: (items: unknown[]) => ({ items }) },
    nativeImage: { createFromPath: () => ({ ...image, resize: () => image }), createFromBitmap: () => image },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => void state.schemes.push(...s),
      handle: (scheme: string, fn: (req: { url: string }) => Promise<Response>) => void state.protocolHandlers.set(scheme, fn),
    },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Fn) => void (state.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Fn) => void (state.permissionCheck = fn),
      },
    },
    shell: { openExternal: async () => undefined },
  };
  return { state, electron, EventSource, BrowserWindow };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

beforeAll(async () => {
  fake.state.userData = mkdtempSync(join(tmpdir(), 'main-wiring-'));
  // Last run's main window: it reopens where it was.
  writeFileSync(
    join(fake.state.userData, 'app-state.json'),
    JSON.stringify({ mainWindow: { bounds: { x: 200, y: 150, width: 1100, height: 800 }, maximized: false } }),
  );
  await import('../../../electron/main');
  fake.state.ready!();
  await new Promise((r) => setTimeout(r, 50));
});

afterAll(() => {
  rmSync(fake.state.userData, { recursive: true, force: true });
});

describe('electron/main.ts wiring', () => {
  it('registers app:// as a secure standard scheme before ready', () => {
    expect(fake.state.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('opens the main window locked down, on our renderer URL', () => {
    expect(fake.state.windows).toHaveLength(1);
    const [win] = fake.state.windows;
    expect(win!.url).toBe('app://renderer/index.html');
    const prefs = win!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toEqual(webPreferencesFor('main', prefs.preload as string, false));
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
  });

  it('registers every IPC channel of the preload API', () => {
    expect([...fake.state.ipcHandle.keys()].sort()).toEqual(Object.values(INVOKE).sort());
    expect([...fake.state.ipcOn.keys()].sort()).toEqual(Object.values(SEND).sort());
  });

  it('refuses IPC from a page that is not ours, even in our window', async () => {
    const contentsId = fake.state.windows[0]!.contentsId;
    const handler = fake.state.ipcHandle.get(INVOKE.restore)!;
    expect(() => handler({ sender: { id: contentsId }, senderFrame: { url: 'https://evil.example/' } })).toThrow('forbidden sender');
    await expect(Promise.resolve(handler({ sender: { id: contentsId }, senderFrame: { url: 'app://renderer/index.html' } }))).resolves.toBeNull();
  });

  it('guards every webContents against navigation and new windows', () => {
    const contents = new fake.EventSource() as InstanceType<typeof fake.EventSource> & { setWindowOpenHandler(fn: Fn): void; openHandler?: Fn };
    contents.setWindowOpenHandler = (fn: Fn) => void (contents.openHandler = fn);
    for (const l of fake.state.appListeners.get('web-contents-created') ?? []) l({}, contents);
    let prevented = false;
    for (const l of contents.listeners.get('will-navigate') ?? []) l({ url: 'https://example.com/', preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(contents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.listeners.get('will-attach-webview')).toHaveLength(1);
  });

  it('serves the renderer over app:// with the CSP, and nothing outside it', async () => {
    const handler = fake.state.protocolHandlers.get('app')!;
    const outside = await handler({ url: 'app://renderer/%2e%2e%2f%2e%2e%2fpackage.json' });
    expect(outside.status).toBe(404);
    const other = await handler({ url: 'app://elsewhere/index.html' });
    expect(other.status).toBe(404);
    // Run from source, main.ts's renderer folder is renderer/ itself, whose index.html is in the repo.
    const index = await handler({ url: 'app://renderer/index.html#chat=x' });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<div id="app">');
  });

  it('reopens the main window where it was last time', () => {
    expect(fake.state.windows[0]!.options).toMatchObject({ x: 200, y: 150, width: 1100, height: 800 });
  });

  it('puts a tray icon up with its menu', () => {
    expect(fake.state.trays).toHaveLength(1);
    const labels = fake.state.trays[0]!.menu.filter((i) => i.type !== 'separator').map((i) => i.label);
    expect(labels).toEqual(['Not signed in', 'Open Relay Chat', 'Do not disturb', 'Start at login', 'Sign out', 'Quit Relay Chat']);
    expect(fake.state.trays[0]!.tooltip).toBe('Relay Chat — signed out');
  });

  it('Do not disturb from the tray menu is kept in app-state.json and checked in the menu', () => {
    const item = () => fake.state.trays[0]!.menu.find((i) => i.label === 'Do not disturb')!;
    item().click!();
    expect(item().checked).toBe(true);
    expect(JSON.parse(readFileSync(join(fake.state.userData, 'app-state.json'), 'utf8')).doNotDisturb).toBe(true);
    expect(fake.state.trays[0]!.tooltip).toBe('Relay Chat — signed out — Do not disturb');
    item().click!();
    expect(item().checked).toBe(false);
  });

  it('closing the last window keeps the app in the tray (saying so once); Quit really quits', () => {
    const allClosed = () => {
      for (const l of fake.state.appListeners.get('window-all-closed') ?? []) l();
    };
    allClosed();
    allClosed();
    expect(fake.state.quits).toBe(0);
    const hints = fake.state.notifications.filter((n) => n.title === 'Relay Chat keeps running in the tray');
    expect(hints).toHaveLength(process.platform === 'darwin' ? 0 : 1);
    fake.state.trays[0]!.menu.find((i) => i.label === 'Quit Relay Chat')!.click!();
    expect(fake.state.quits).toBe(1);
    for (const l of fake.state.appListeners.get('before-quit') ?? []) l();
    allClosed();
    expect(fake.state.quits).toBe(2);
  });

  it('a second launch focuses the running app instead of opening another', () => {
    const before = fake.BrowserWindow.all.length;
    for (const l of fake.state.appListeners.get('second-instance') ?? []) l();
    expect(fake.BrowserWindow.all.length).toBe(before);
    expect(fake.BrowserWindow.all[0]!.focused).toBe(1);
  });

  it('refuses every permission the page asks for', () => {
    const answers: boolean[] = [];
    fake.state.permissionRequest!({}, 'notifications', (ok: boolean) => answers.push(ok));
    fake.state.permissionRequest!({}, 'media', (ok: boolean) => answers.push(ok));
    expect(answers).toEqual([false, false]);
    expect(fake.state.permissionCheck!()).toBe(false);
  });
});
