// The desktop app minus Electron: the real main-process core (session, windows,
// routing, notifications, IPC handlers with sender checks) over a real RelayConnection
// to a real relay, and per window the real preload and renderer bridge. Only what
// Electron itself provides is stood in for: the IPC transport between a window and
// main (structured-cloned like Electron's), BrowserWindow and Notification.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import * as auth from '../../../client/auth';
import { RelayConnection } from '../../../client/connection';
import { FileQueueStorage } from '../../../client/file-queue-storage';
import { createDesktopCore, type DesktopCore } from '../../../electron/app-core';
import type { IpcMainPort, IpcSenderEvent } from '../../../electron/ipc';
import type { NotificationPort } from '../../../electron/notifications';
import type { PushChannel, RelayChatApi } from '../../../electron/preload-api';
import { isRendererUrl, rendererUrl } from '../../../electron/security';
import { TokenStore } from '../../../electron/token-store';
import type { AppWindow, WindowFactory } from '../../../electron/windows';
import { createElectronBridge } from '../../../renderer/bridge/electron';
import type { Bridge } from '../../../renderer/bridge/types';

type MainListener = (event: IpcSenderEvent, ...args: unknown[]) => unknown;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export class MainIpc implements IpcMainPort {
  readonly handlers = new Map<string, MainListener>();
  readonly listeners = new Map<string, MainListener>();
  handle(channel: string, l: MainListener) {
    this.handlers.set(channel, l);
  }
  on(channel: string, l: MainListener) {
    this.listeners.set(channel, l);
  }
}

/** ipcRenderer of one window: what the preload talks to. */
export class RendererIpc {
  private readonly listeners = new Map<string, Set<RendererListener>>();
  constructor(
    private readonly main: MainIpc,
    private readonly contentsId: number,
    public url: string,
  ) {}
  private event(): IpcSenderEvent {
    return { sender: { id: this.contentsId }, senderFrame: { url: this.url } };
  }
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.main.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return structuredClone(await h(this.event(), ...structuredClone(args)));
  }
  send(channel: string, ...args: unknown[]): void {
    this.main.listeners.get(channel)?.(this.event(), ...structuredClone(args));
  }
  on(channel: string, l: RendererListener) {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(l);
    return this;
  }
  removeListener(channel: string, l: RendererListener) {
    this.listeners.get(channel)?.delete(l);
    return this;
  }
  listenerCount(channel: string) {
    return this.listeners.get(channel)?.size ?? 0;
  }
  deliver(channel: string, args: unknown[]) {
    // The event object stands for Electron's IpcRendererEvent, whose `sender` is ipcRenderer itself.
    const event = { sender: this };
    for (const l of [...(this.listeners.get(channel) ?? [])]) l(event, ...structuredClone(args));
  }
}

export class HarnessWindow implements AppWindow {
  focused = false;
  destroyed = false;
  readonly renderer: RendererIpc;
  private readonly closed: Array<() => void> = [];
  constructor(
    readonly contentsId: number,
    readonly target: { kind: 'main' } | { kind: 'chat'; chatId: string },
    main: MainIpc,
    private readonly loadPreload: (ipc: RendererIpc) => Promise<RelayChatApi>,
  ) {
    this.renderer = new RendererIpc(main, contentsId, rendererUrl(target));
  }
  private bridgePromise: Promise<Bridge> | null = null;
  /** The renderer's Bridge over this window's own preload instance. */
  bridge(): Promise<Bridge> {
    this.bridgePromise ??= this.loadPreload(this.renderer).then((api) => createElectronBridge(api));
    return this.bridgePromise;
  }
  focus() {
    this.focused = true;
  }
  close() {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const cb of this.closed) cb();
  }
  isFocused() {
    return this.focused && !this.destroyed;
  }
  isDestroyed() {
    return this.destroyed;
  }
  send(channel: PushChannel, ...args: unknown[]) {
    if (this.destroyed) throw new Error('send to a destroyed window');
    this.renderer.deliver(channel, args);
  }
  onClosed(cb: () => void) {
    this.closed.push(cb);
  }
}

export interface ShownNotification {
  title: string;
  body: string;
  click(): void;
  closed: boolean;
}

export interface Desktop {
  core: DesktopCore;
  created: HarnessWindow[];
  notifications: ShownNotification[];
  badges: number[];
  logs: string[];
  /** How many complete catch-ups (sync snapshots) the connection has finished. */
  syncs(): number;
  userData: string;
  mainWindow(): Promise<{ win: HarnessWindow; bridge: Bridge }>;
  chatWindows(chatId: string): HarnessWindow[];
  dispose(): void;
}

export interface DesktopOptions {
  userData?: string;
  doNotDisturb?: () => boolean;
  platform?: NodeJS.Platform;
}

export function createDesktop(relayUrl: string, loadPreload: (ipc: RendererIpc) => Promise<RelayChatApi>, options: DesktopOptions = {}): Desktop {
  const { userData } = options;
  const dir = userData ?? mkdtempSync(join(tmpdir(), 'desktop-userdata-'));
  const ipc = new MainIpc();
  const created: HarnessWindow[] = [];
  const notifications: ShownNotification[] = [];
  const badges: number[] = [];
  const logs: string[] = [];
  let nextId = 100;
  const factory: WindowFactory = {
    create(target) {
      const win = new HarnessWindow(nextId++, target, ipc, loadPreload);
      created.push(win);
      return win;
    },
  };
  const port: NotificationPort = {
    isSupported: () => true,
    show(spec, onClick) {
      const n: ShownNotification = { ...spec, click: onClick, closed: false };
      notifications.push(n);
      return { close: () => void (n.closed = true) };
    },
  };
  const links: RelayConnection[] = [];
  let syncs = 0;
  const core = createDesktopCore({
    relayUrl,
    windowFactory: factory,
    notifications: port,
    ipc,
    auth,
    tokens: new TokenStore(dir, null, (m) => logs.push(m)),
    createLink: (s) => {
      const link = new RelayConnection({ url: s.relayUrl, storage: new FileQueueStorage(join(dir, 'outbox', `${s.user.id}.json`)) });
      links.push(link);
      link.onSync(() => syncs++);
      return link;
    },
    isRendererUrl: (url) => isRendererUrl(url),
    setBadge: (n) => badges.push(n),
    doNotDisturb: options.doNotDisturb ?? (() => false),
    platform: options.platform ?? 'linux',
    log: (m) => logs.push(m),
  });
  return {
    core,
    created,
    notifications,
    badges,
    logs,
    syncs: () => syncs,
    userData: dir,
    async mainWindow() {
      const win = core.windows.showMain() as HarnessWindow;
      return { win, bridge: await win.bridge() };
    },
    chatWindows: (chatId) => created.filter((w) => w.target.kind === 'chat' && w.target.chatId === chatId && !w.destroyed),
    dispose() {
      core.session.shutdown();
      for (const l of links) l.stop();
      if (!userData) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs electron/preload.ts afresh for one window, as each BrowserWindow does, with
 * that window's ipcRenderer and a contextBridge that records what is exposed.
 */
let loading: Promise<unknown> = Promise.resolve();
export function loadPreload(ipc: RendererIpc): Promise<RelayChatApi> {
  const run = loading.then(async () => {
    const exposed: Array<{ key: string; api: unknown }> = [];
    vi.resetModules();
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push({ key, api }) },
      ipcRenderer: ipc,
    }));
    await import('../../../electron/preload');
    vi.doUnmock('electron');
    expect(exposed.map((e) => e.key)).toEqual(['relaychat']);
    return exposed[0]!.api as RelayChatApi;
  });
  loading = run.catch(() => undefined);
  return run;
}

/** Polls until `probe` gives something truthy; fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
