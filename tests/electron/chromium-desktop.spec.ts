// The desktop app's own code in Chromium, for machines without an Electron binary:
// the real main-process core (session, windows, routing, notifications, IPC sender
// checks) runs in this test process over a real relay; each "window" is a Chromium
// page of the built renderer (out/renderer) served with the app's CSP, running the
// real electron/preload.ts bundled with an IPC shim (browser-electron-shim.ts).
// Only Electron itself is missing: BrowserWindow is a page, a Notification a record.
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import * as auth from '../../client/auth';
import { RelayConnection } from '../../client/connection';
import { FileQueueStorage } from '../../client/file-queue-storage';
import { MemoryQueueStorage } from '../../client/queue-storage';
import type { Chat, Message, ServerPayloads } from '../../protocol/types';
import { createDesktopCore, type DesktopCore } from '../../electron/app-core';
import type { IpcMainPort, IpcSenderEvent } from '../../electron/ipc';
import type { PushChannel } from '../../electron/preload-api';
import { mimeTypeOf, rendererFileFor } from '../../electron/renderer-files';
import { CONTENT_SECURITY_POLICY, rendererUrl } from '../../electron/security';
import { TokenStore } from '../../electron/token-store';
import type { AppWindow } from '../../electron/windows';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { ROOT, ensureBuilt } from './electron-env';

test.describe.configure({ mode: 'serial' });

type MainListener = (event: IpcSenderEvent, ...args: unknown[]) => unknown;

class MainIpc implements IpcMainPort {
  readonly handlers = new Map<string, MainListener>();
  readonly listeners = new Map<string, MainListener>();
  handle(channel: string, l: MainListener) {
    this.handlers.set(channel, l);
  }
  on(channel: string, l: MainListener) {
    this.listeners.set(channel, l);
  }
}

const focus: { current: PageWindow | null } = { current: null };

class PageWindow implements AppWindow {
  destroyed = false;
  readonly url: string;
  readonly page: Promise<Page>;
  private readonly closed: Array<() => void> = [];
  constructor(
    readonly contentsId: number,
    readonly target: { kind: 'main' } | { kind: 'chat'; chatId: string },
    context: BrowserContext,
    origin: string,
    pageIds: Map<Page, number>,
  ) {
    const url = rendererUrl(target, `${origin}/index.html`);
    this.url = url;
    focus.current = this; // a new BrowserWindow is shown focused
    this.page = (async () => {
      const page = await context.newPage();
      pageIds.set(page, contentsId);
      page.on('pageerror', (err) => console.error(`[window ${contentsId}] ${err.message}`));
      page.on('close', () => this.markClosed());
      await page.goto(url);
      return page;
    })();
  }
  private markClosed() {
    if (this.destroyed) return;
    this.destroyed = true;
    if (focus.current === this) focus.current = null;
    for (const cb of this.closed) cb();
  }
  focus() {
    focus.current = this;
    void this.page.then((p) => p.bringToFront()).catch(() => undefined);
  }
  close() {
    this.markClosed();
    void this.page.then((p) => p.close()).catch(() => undefined);
  }
  isFocused() {
    return !this.destroyed && focus.current === this;
  }
  isDestroyed() {
    return this.destroyed;
  }
  send(channel: PushChannel, ...args: unknown[]) {
    if (this.destroyed) return;
    void this.page
      .then((p) => p.evaluate(([c, a]) => window.__ipcDeliver(c, a), [channel, args] as [string, unknown[]]))
      .catch(() => undefined);
  }
  onClosed(cb: () => void) {
    this.closed.push(cb);
  }
}

let relay: RelayProcess;
let server: Server;
let origin: string;
let preloadBundle: string;
const cleanups: Array<() => Promise<void> | void> = [];

test.beforeAll(async () => {
  ensureBuilt();
  relay = await startRelay();
  const rendererDir = resolve(ROOT, 'out/renderer');
  // Served the way main.ts's app:// handler serves it: same file mapping, same CSP.
  server = createServer(async (req, res) => {
    const file = rendererFileFor(`app://renderer${new URL(req.url ?? '/', 'http://x').pathname}`, rendererDir);
    try {
      if (!file) throw new Error('not ours');
      const data = await readFile(file);
      res.writeHead(200, { 'content-type': mimeTypeOf(file), 'content-security-policy': CONTENT_SECURITY_POLICY });
      res.end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    resolve: { alias: { electron: resolve(import.meta.dirname, 'browser-electron-shim.ts') } },
    build: { write: false, minify: false, lib: { entry: resolve(ROOT, 'electron/preload.ts'), formats: ['iife'], name: 'relaychatPreload' } },
  });
  const result = Array.isArray(out) ? out[0] : out;
  if (!result || !('output' in result)) throw new Error('preload bundle: unexpected vite result');
  preloadBundle = result.output[0].code;
});

test.afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await relay?.stop();
  relay?.cleanup();
});

interface Desktop {
  core: DesktopCore;
  windows: PageWindow[];
  notifications: Array<{ title: string; body: string; click: () => void }>;
  logs: string[];
}

async function desktopApp(browser: Browser): Promise<Desktop> {
  const context = await browser.newContext();
  const userData = mkdtempSync(join(tmpdir(), 'chromium-desktop-'));
  const ipc = new MainIpc();
  const pageIds = new Map<Page, number>();
  const windows: PageWindow[] = [];
  const notifications: Desktop['notifications'] = [];
  const logs: string[] = [];
  const links: RelayConnection[] = [];
  let nextId = 1;
  await context.addInitScript({ content: preloadBundle });
  const event = (page: Page): IpcSenderEvent => ({ sender: { id: pageIds.get(page) ?? -1 }, senderFrame: { url: page.url() } });
  await context.exposeBinding('__ipcInvoke', async ({ page }, channel: string, args: unknown[]) => {
    const h = ipc.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return h(event(page), ...args);
  });
  await context.exposeBinding('__ipcSend', ({ page }, channel: string, args: unknown[]) => {
    ipc.listeners.get(channel)?.(event(page), ...args);
  });
  const core = createDesktopCore({
    relayUrl: relay.url,
    windowFactory: {
      create(target) {
        const win = new PageWindow(nextId++, target, context, origin, pageIds);
        windows.push(win);
        return win;
      },
    },
    notifications: {
      isSupported: () => true,
      show: ({ title, body }, onClick) => {
        notifications.push({ title, body, click: onClick });
        return { close: () => undefined };
      },
    },
    ipc,
    auth,
    tokens: new TokenStore(userData, null, (m) => logs.push(m)),
    createLink: (s) => {
      const link = new RelayConnection({ url: s.relayUrl, storage: new FileQueueStorage(join(userData, 'outbox.json')) });
      links.push(link);
      return link;
    },
    // The served renderer stands in for app://renderer.
    isRendererUrl: (url) => url.startsWith(`${origin}/`),
    setBadge: () => undefined,
    doNotDisturb: () => false,
    platform: process.platform,
    log: (m) => logs.push(m),
  });
  cleanups.push(async () => {
    core.session.shutdown();
    for (const l of links) l.stop();
    await context.close();
    rmSync(userData, { recursive: true, force: true });
  });
  return { core, windows, notifications, logs };
}

async function otherUser(username: string, displayName: string) {
  const res = await auth.register(relay.url, username, 'correct horse battery', displayName);
  if (!res.ok) throw new Error(res.error.message);
  const link = new RelayConnection({ url: relay.url, storage: new MemoryQueueStorage() });
  const joined: Chat[] = [];
  const messages: Message[] = [];
  const members: Array<ServerPayloads['chat:member']> = [];
  link.on('chat:member', (m) => members.push(m));
  link.on('chat:joined', ({ chat }) => joined.push(chat));
  link.on('chat:message', ({ message }) => messages.push(message));
  link.start(res.token);
  cleanups.push(() => link.stop());
  await expect.poll(() => link.state().status).toBe('online');
  return { link, joined, messages, members };
}

const stamp = Date.now().toString(36).slice(-5);

test('desktop flow in Chromium: sign in, invite notification click opens that chat’s window, one window per chat', async ({ browser }) => {
  const bob = await desktopApp(browser);
  const mainWin = bob.core.windows.showMain() as PageWindow;
  const main = await mainWin.page;
  expect(await main.evaluate(() => Object.keys(window.relaychat ?? {}).sort())).toEqual(['chat', 'events', 'request', 'session']);

  const bobName = `bob${stamp}`;
  await main.getByRole('button', { name: 'Create an account' }).click();
  await main.getByLabel('Username').fill(bobName);
  await main.getByLabel('Display name').fill('Bob');
  await main.getByLabel('Password').fill('correct horse battery');
  await main.getByRole('button', { name: 'Sign up' }).click();
  await expect(main.getByTestId('me-name')).toHaveText('Bob');

  const alice = await otherUser(`alice${stamp}`, 'Alice');
  expect((await alice.link.request('friends:request', { username: bobName })).ok).toBe(true);
  await main.getByTestId('friend-requests').locator(`[data-username="alice${stamp}"]`).getByRole('button', { name: 'Accept' }).click();

  expect((await alice.link.request('invite:create', { to: bobName })).ok).toBe(true);
  await expect.poll(() => bob.notifications.map((n) => n.title)).toContain('Alice invites you to chat');
  bob.notifications.find((n) => n.title === 'Alice invites you to chat')!.click();

  await expect.poll(() => alice.joined.length).toBe(1);
  const chatId = alice.joined[0]!.id;
  await expect.poll(() => bob.windows.filter((w) => w.target.kind === 'chat').length).toBe(1);
  const chatWin = bob.windows.find((w) => w.target.kind === 'chat')!;
  expect(chatWin.target).toEqual({ kind: 'chat', chatId });
  const chatPage = await chatWin.page;
  expect(chatPage.url()).toBe(`${origin}/index.html#chat=${encodeURIComponent(chatId)}`);

  // Alice's message shows in Bob's chat window; Bob's reply reaches Alice.
  await alice.link.send(chatId, 'hello bob');
  await expect(chatPage.getByTestId('message-body').filter({ hasText: 'hello bob' })).toBeVisible();
  const box = chatPage.getByTestId('chat-panel').getByRole('textbox');
  await box.fill('hi alice');
  await box.press('Enter');
  await expect.poll(() => alice.messages.map((m) => m.body)).toContain('hi alice');

  // Asking for the chat again (as the main window does on a click) focuses the same window.
  await main.evaluate((id) => window.relaychat!.chat.open(id), chatId);
  await expect.poll(() => chatWin.isFocused()).toBe(true);
  expect(bob.windows.filter((w) => w.target.kind === 'chat' && !w.destroyed)).toHaveLength(1);

  // With the main window in front (no chat shown there), a message notifies; its click
  // brings that chat's window back to the front.
  mainWin.focus();
  await main.evaluate(() => window.relaychat!.chat.setFocused(null));
  await alice.link.send(chatId, 'ping');
  await expect.poll(() => bob.notifications.some((n) => n.title === 'Alice' && n.body === 'ping')).toBe(true);
  bob.notifications.find((n) => n.body === 'ping')!.click();
  expect(chatWin.isFocused()).toBe(true);

  // While the chat window is in front, nothing notifies for that chat.
  const count = bob.notifications.length;
  await alice.link.send(chatId, 'seen live');
  await expect(chatPage.getByTestId('message-body').filter({ hasText: 'seen live' })).toBeVisible();
  expect(bob.notifications.length).toBe(count);

  // A page that is not our renderer gets nothing from main.
  const stray = await chatPage.context().newPage();
  await stray.goto('about:blank');
  const refused = await stray.evaluate(() => window.__ipcInvoke('relaychat:request', ['chat:list', {}]).then(() => 'answered', (e: Error) => e.message));
  expect(refused).toContain('forbidden sender');
  await stray.close();

  // Leaving the chat closes its window; the main window stays.
  // (The window may close before the answer gets back to it, so the relay's side is checked.)
  void chatPage.evaluate((id) => window.relaychat!.request('chat:leave', { chatId: id }), chatId).catch(() => undefined);
  await expect.poll(() => alice.members.some((m) => m.chatId === chatId && m.change === 'left' && m.user.username === bobName)).toBe(true);
  await expect.poll(() => chatWin.destroyed).toBe(true);
  expect(mainWin.destroyed).toBe(false);
});
