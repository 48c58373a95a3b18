// electron/main.ts run in plain Node against a stand-in 'electron' module (the real one
// needs its binary): checks the wiring nothing else covers. Every window gets the
// locked webPreferences and our app:// URL, every webContents gets the navigation
// guards, app:// answers with the CSP and refuses paths outside the renderer, the
// page's permission requests are refused, and every IPC channel has a handler.
import { mkdtempSync, rmSync } from 'node:fs';
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
      quit: () => undefined,
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
      show() {}
      close() {}
    },
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
  return { state, electron, EventSource };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

beforeAll(async () => {
  fake.state.userData = mkdtempSync(join(tmpdir(), 'main-wiring-'));
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
    expect(prefs).toEqual(webPreferencesFor('main', prefs.preload as string));
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

  it('refuses every permission the page asks for', () => {
    const answers: boolean[] = [];
    fake.state.permissionRequest!({}, 'notifications', (ok: boolean) => answers.push(ok));
    fake.state.permissionRequest!({}, 'media', (ok: boolean) => answers.push(ok));
    expect(answers).toEqual([false, false]);
    expect(fake.state.permissionCheck!()).toBe(false);
  });
});
