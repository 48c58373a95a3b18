// The web bridge in a real browser (Debian's Chromium) against a real relay: the
// bridge is bundled the way the web build bundles it, and the test page is served
// at the relay's own origin so HTTP and socket.io are same-origin, as in production.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { io, type Socket } from 'socket.io-client';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../client/auth';
import type { AuthResult, ClientEvent, ClientPayloads, ClientResults, ClientToServerEvents, ServerToClientEvents, Ack } from '../../protocol/types';
import type { Bridge, NotificationAction } from '../../renderer/bridge/types';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium';

type RawSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ROOT = resolve(import.meta.dirname, '../..');

let bundle = '';
let browser: Browser;
const buildDir = mkdtempSync(join(tmpdir(), 'web-bridge-build-'));

beforeAll(async () => {
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    build: {
      outDir: buildDir,
      emptyOutDir: true,
      minify: false,
      lib: { entry: join(ROOT, 'renderer/bridge/web.ts'), formats: ['iife'], name: 'RelayWeb', fileName: () => 'bridge.js' },
    },
  });
  bundle = readFileSync(join(buildDir, 'bridge.js'), 'utf8');
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(buildDir, { recursive: true, force: true });
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

// Records every Notification the page shows, keeping the real one underneath.
const NOTIFICATION_SPY = `
  window.__notes = [];
  const Real = window.Notification;
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notes.push({ title, body: options && options.body, tag: options && options.tag, note: this });
    }
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Recorded.requestPermission = (...a) => Real.requestPermission(...a);
  window.Notification = Recorded;
`;

const TEST_PATH = '/__bridge-test.html';

async function openPage(context: BrowserContext, relayUrl: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(relayUrl + TEST_PATH);
  await page.evaluate(() => {
    const w = window as unknown as BridgeWindow;
    w.bridge = w.RelayWeb.createWebBridge(location.origin);
    w.states = [];
    w.actions = [];
    w.outgoing = [];
    w.messages = [];
    w.bridge.on('chat:message', ({ message }) => w.messages.push(message.body));
    w.bridge.onState((s) => w.states.push(s.status));
    w.bridge.onNotificationAction((a) => w.actions.push(a));
    w.bridge.onOutgoing((u) => w.outgoing.push(u.kind));
  });
  return page;
}

async function newContext(relayUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext({ permissions: ['notifications'] });
  cleanups.push(() => context.close());
  await context.addInitScript(NOTIFICATION_SPY);
  // Served at the relay's origin; everything else reaches the real relay.
  await context.route(relayUrl + TEST_PATH, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>Relay Chat</title><script>${bundle}</script>` }),
  );
  return context;
}

// What the page keeps on window (see openPage).
interface BridgeWindow {
  RelayWeb: { createWebBridge(url: string): Bridge };
  bridge: Bridge;
  states: string[];
  actions: NotificationAction[];
  outgoing: string[];
  messages: string[];
  __notes: Array<{ title: string; body?: string; tag?: string; note: Notification }>;
}

async function relay(opts: Parameters<typeof startRelay>[0] = {}): Promise<RelayProcess> {
  const r = await startRelay(opts);
  cleanups.push(async () => {
    await r.kill();
    if (!opts.dataDir) r.cleanup();
  });
  return r;
}

let userCounter = 0;
function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${++userCounter}`;
}

async function newUser(url: string, prefix: string): Promise<AuthResult> {
  const res = await register(url, uniqueName(prefix), 'correct horse battery', prefix.toUpperCase());
  if (!res.ok) throw new Error(`register failed: ${res.error.code}`);
  return { token: res.token, user: res.user };
}

async function rawSocket(url: string, token: string): Promise<RawSocket> {
  const s: RawSocket = io(url, { auth: { token }, forceNew: true, reconnection: false, transports: ['websocket'] });
  cleanups.push(() => s.disconnect());
  await new Promise<void>((res, rej) => {
    s.once('connect', () => res());
    s.once('connect_error', rej);
  });
  return s;
}

async function must<E extends ClientEvent>(s: RawSocket, event: E, payload: ClientPayloads[E]): Promise<ClientResults[E]> {
  const emitter = s.timeout(10_000) as unknown as { emit(e: string, p: unknown, cb: (err: Error | null, res: Ack<ClientResults[E]>) => void): void };
  const res = await new Promise<Ack<ClientResults[E]>>((ok, fail) => emitter.emit(event, payload, (err, r) => (err ? fail(err) : ok(r))));
  if (!res.ok) throw new Error(`${event}: ${res.error.code} ${res.error.message}`);
  return res;
}

/** Registers a user in the page through the bridge and waits until it is online. */
async function signUpInPage(page: Page, username: string) {
  const outcome = await page.evaluate(
    (name) => (window as unknown as BridgeWindow).bridge.register(name, 'correct horse battery', 'Web User'),
    username,
  );
  if (!outcome.ok) throw new Error(`register in page failed: ${outcome.error.code}`);
  await page.waitForFunction(() => (window as unknown as BridgeWindow).states.at(-1) === 'online');
  return outcome.user;
}

/** Befriends the page's user from a raw socket (the page accepts through its bridge). */
async function befriend(page: Page, other: RawSocket, pageUsername: string, otherUsername: string) {
  await must(other, 'friends:request', { username: pageUsername });
  const res = await page.evaluate((u) => (window as unknown as BridgeWindow).bridge.request('friends:accept', { username: u }), otherUsername);
  expect(res.ok).toBe(true);
}

// Each test starts (and restarts) relay processes, which is slow on a busy machine.
describe('web bridge in Chromium', { timeout: 90_000 }, () => {
  it('signs up, keeps the session in localStorage, restores it after a reload, and signs out', async () => {
    const r = await relay();
    const context = await newContext(r.url);
    const page = await openPage(context, r.url);
    const name = uniqueName('web');
    const user = await signUpInPage(page, name);
    expect(user.username).toBe(name);
    const kept = await page.evaluate(() => ({ token: localStorage.getItem('relaychat.token'), user: localStorage.getItem('relaychat.user') }));
    expect(kept.token).toMatch(/.{16,}/);
    expect(JSON.parse(kept.user!)).toEqual(user);
    expect(await page.evaluate(() => (window as unknown as BridgeWindow).bridge.request('chat:list', {}))).toEqual({ ok: true, chats: [] });

    await page.reload();
    const again = await openPage(context, r.url);
    await page.close();
    expect(await again.evaluate(() => (window as unknown as BridgeWindow).bridge.restoreSession())).toEqual(user);
    await again.waitForFunction(() => (window as unknown as BridgeWindow).states.at(-1) === 'online');

    await again.evaluate(() => (window as unknown as BridgeWindow).bridge.logout());
    expect(await again.evaluate(() => [localStorage.getItem('relaychat.token'), localStorage.getItem('relaychat.user')])).toEqual([null, null]);
    expect(await again.evaluate(() => (window as unknown as BridgeWindow).bridge.restoreSession())).toBeNull();
    // The relay revoked the token too.
    await expect(rawSocket(r.url, kept.token!)).rejects.toThrow('unauthorized');
  });

  it('answers a wrong password with the relay error and stays signed out', async () => {
    const r = await relay();
    const a = await newUser(r.url, 'pwd');
    const page = await openPage(await newContext(r.url), r.url);
    const outcome = await page.evaluate((u) => (window as unknown as BridgeWindow).bridge.login(u, 'wrong password!'), a.user.username);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await page.evaluate(() => localStorage.getItem('relaychat.token'))).toBeNull();
  });

  it('shows an invite notification whose click accepts the invite and reports the chat', async () => {
    const r = await relay();
    const page = await openPage(await newContext(r.url), r.url);
    const me = await signUpInPage(page, uniqueName('inv'));
    const other = await newUser(r.url, 'host');
    const so = await rawSocket(r.url, other.token);
    await befriend(page, so, me.username, other.user.username);

    const { invite } = await must(so, 'invite:create', { to: me.username });
    await page.waitForFunction(() => (window as unknown as BridgeWindow).__notes.length === 1);
    const note = await page.evaluate(() => {
      const n = (window as unknown as BridgeWindow).__notes[0]!;
      return { title: n.title, tag: n.tag };
    });
    expect(note).toEqual({ title: 'HOST invites you', tag: `invite-${invite.id}` });

    await page.evaluate(() => (window as unknown as BridgeWindow).__notes[0]!.note.dispatchEvent(new Event('click')));
    await page.waitForFunction(() => (window as unknown as BridgeWindow).actions.length === 1);
    const action = await page.evaluate(() => (window as unknown as BridgeWindow).actions[0]);
    const { chats } = await must(so, 'chat:list', {});
    expect(chats).toHaveLength(1);
    expect(action).toEqual({ kind: 'invite-accepted', chatId: chats[0]!.id });
  });

  it('notifies a message only when its chat is not the one in view, and a click opens that chat', async () => {
    const r = await relay();
    const page = await openPage(await newContext(r.url), r.url);
    const me = await signUpInPage(page, uniqueName('msg'));
    const other = await newUser(r.url, 'pal');
    const so = await rawSocket(r.url, other.token);
    await befriend(page, so, me.username, other.user.username);
    const { invite } = await must(so, 'invite:create', { to: me.username });
    const accepted = await page.evaluate((id) => (window as unknown as BridgeWindow).bridge.request('invite:accept', { inviteId: id }), invite.id);
    if (!accepted.ok) throw new Error('accept failed');
    const chatId = accepted.chat.id;
    const notesNow = () => page.evaluate(() => (window as unknown as BridgeWindow).__notes.map((n) => ({ title: n.title, body: n.body })));
    const baseline = (await notesNow()).length; // the invite's own notification

    // Looking at this very chat: quiet.
    await page.evaluate((id) => (window as unknown as BridgeWindow).bridge.setFocusedChat(id), chatId);
    await must(so, 'chat:send', { chatId, clientMsgId: 'seen-1', body: 'you are looking at this' });
    await page.waitForFunction(() => (window as unknown as BridgeWindow).messages.includes('you are looking at this'));
    // Own messages never notify.
    await page.evaluate(() => (window as unknown as BridgeWindow).bridge.setFocusedChat(null));
    await page.evaluate((id) => (window as unknown as BridgeWindow).bridge.send(id, 'my own words'), chatId);
    await page.waitForFunction(() => (window as unknown as BridgeWindow).outgoing.includes('sent'));
    // Looking elsewhere: notified.
    await must(so, 'chat:send', { chatId, clientMsgId: 'unseen-1', body: 'look over here' });
    await page.waitForFunction((n) => (window as unknown as BridgeWindow).__notes.length === n + 1, baseline);
    await new Promise((res) => setTimeout(res, 300));
    expect((await notesNow()).slice(baseline)).toEqual([{ title: 'PAL', body: 'look over here' }]);

    await page.evaluate(() => (window as unknown as BridgeWindow).__notes.at(-1)!.note.dispatchEvent(new Event('click')));
    await page.waitForFunction(() => (window as unknown as BridgeWindow).actions.length === 1);
    expect(await page.evaluate(() => (window as unknown as BridgeWindow).actions)).toEqual([{ kind: 'open-chat', chatId }]);
  });

  it('after being away, notifies once per chat for the newest missed message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'web-bridge-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await relay({ dataDir });
    const context = await newContext(first.url);
    const page = await openPage(context, first.url);
    const me = await signUpInPage(page, uniqueName('away'));
    const other = await newUser(first.url, 'kim');
    const so = await rawSocket(first.url, other.token);
    await befriend(page, so, me.username, other.user.username);
    const { invite } = await must(so, 'invite:create', { to: me.username });
    const accepted = await page.evaluate((id) => (window as unknown as BridgeWindow).bridge.request('invite:accept', { inviteId: id }), invite.id);
    if (!accepted.ok) throw new Error('accept failed');
    const chatId = accepted.chat.id;
    const baseline = await page.evaluate(() => (window as unknown as BridgeWindow).__notes.length);

    // The page loses its network while the relay restarts; the other user writes meanwhile.
    await context.setOffline(true);
    await first.kill();
    await page.waitForFunction(() => (window as unknown as BridgeWindow).states.at(-1) === 'reconnecting');
    const second = await relay({ dataDir, port: first.port });
    const so2 = await rawSocket(second.url, other.token);
    for (const n of [1, 2, 3]) await must(so2, 'chat:send', { chatId, clientMsgId: `away-${n}`, body: `while you were away ${n}` });
    expect(await page.evaluate(() => (window as unknown as BridgeWindow).states.at(-1))).toBe('reconnecting');
    await context.setOffline(false);

    await page.waitForFunction((n) => (window as unknown as BridgeWindow).__notes.length > n, baseline, { timeout: 30_000 });
    await new Promise((res) => setTimeout(res, 300));
    const notes = await page.evaluate(() => (window as unknown as BridgeWindow).__notes.map((x) => ({ title: x.title, body: x.body, tag: x.tag })));
    expect(notes.slice(baseline)).toEqual([{ title: 'KIM', body: 'while you were away 3', tag: `chat-${chatId}` }]);
  });

  it('setBadge prefixes the page title and openChat asks the page to show a chat', async () => {
    const r = await relay();
    const page = await openPage(await newContext(r.url), r.url);
    const title = () => page.evaluate(() => document.title);
    await page.evaluate(() => (window as unknown as BridgeWindow).bridge.setBadge(3));
    expect(await title()).toBe('(3) Relay Chat');
    await page.evaluate(() => (window as unknown as BridgeWindow).bridge.setBadge(12));
    expect(await title()).toBe('(12) Relay Chat');
    await page.evaluate(() => (window as unknown as BridgeWindow).bridge.setBadge(0));
    expect(await title()).toBe('Relay Chat');
    await page.evaluate(() => (window as unknown as BridgeWindow).bridge.openChat('chat-42'));
    expect(await page.evaluate(() => (window as unknown as BridgeWindow).actions)).toEqual([{ kind: 'open-chat', chatId: 'chat-42' }]);
  });

  it('keeps a message typed while the relay is down in IndexedDB across a reload and delivers it once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'web-bridge-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await relay({ dataDir });
    const context = await newContext(first.url);
    const page = await openPage(context, first.url);
    const me = await signUpInPage(page, uniqueName('off'));
    const other = await newUser(first.url, 'far');
    const so = await rawSocket(first.url, other.token);
    await befriend(page, so, me.username, other.user.username);
    const { invite } = await must(so, 'invite:create', { to: me.username });
    const accepted = await page.evaluate((id) => (window as unknown as BridgeWindow).bridge.request('invite:accept', { inviteId: id }), invite.id);
    if (!accepted.ok) throw new Error('accept failed');
    const chatId = accepted.chat.id;

    await first.kill();
    await page.waitForFunction(() => (window as unknown as BridgeWindow).states.at(-1) === 'reconnecting');
    const queued = await page.evaluate((id) => (window as unknown as BridgeWindow).bridge.send(id, 'written offline'), chatId);

    // The tab is reloaded while the relay is still down (the page itself is served by the test).
    await page.close();
    const again = await openPage(context, first.url);
    expect(await again.evaluate(() => (window as unknown as BridgeWindow).bridge.restoreSession())).toEqual(me);
    expect(await again.evaluate((id) => (window as unknown as BridgeWindow).bridge.pending(id), chatId)).toEqual([queued]);

    const second = await relay({ dataDir, port: first.port });
    await again.waitForFunction(() => (window as unknown as BridgeWindow).outgoing.includes('sent'), undefined, { timeout: 30_000 });
    expect(await again.evaluate((id) => (window as unknown as BridgeWindow).bridge.pending(id), chatId)).toEqual([]);
    const so2 = await rawSocket(second.url, other.token);
    const history = await must(so2, 'chat:history', { chatId });
    expect(history.messages.map((m) => [m.body, m.clientMsgId])).toEqual([['written offline', queued.clientMsgId]]);
  });
});
