// The desktop app in a real Electron: launch, sign in, an invite notification's click
// opens that chat's window, one window per chat, the renderer locked down. Runs where
// an Electron binary exists (a normal install or ELECTRON_OVERRIDE_DIST_PATH); skips
// with the printed reason elsewhere. The other user is a real client/ connection.
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '../../client/auth';
import { RelayConnection } from '../../client/connection';
import { MemoryQueueStorage } from '../../client/queue-storage';
import type { Chat } from '../../protocol/types';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { ROOT, electronEnv, ensureBuilt } from './electron-env';

const env = electronEnv();
if (!env.ok) console.log(`[tests/electron] skipped: ${env.reason}`);
test.skip(!env.ok, env.ok ? '' : env.reason);
test.describe.configure({ mode: 'serial' });

interface TestHooks {
  notifications: Array<{ title: string; body: string; click: () => void }>;
}

let relay: RelayProcess;
const userDataDirs: string[] = [];
const apps: ElectronApplication[] = [];
const links: RelayConnection[] = [];
const stamp = Date.now().toString(36).slice(-5);

test.beforeAll(async () => {
  ensureBuilt();
  relay = await startRelay();
});

test.afterAll(async () => {
  for (const app of apps) await app.close().catch(() => undefined);
  for (const link of links) link.stop();
  await relay?.stop();
  relay?.cleanup();
  for (const d of userDataDirs) rmSync(d, { recursive: true, force: true });
});

async function launch(userData?: string): Promise<{ app: ElectronApplication; main: Page; userData: string }> {
  if (!env.ok) throw new Error(env.reason);
  const dir = userData ?? mkdtempSync(join(tmpdir(), 'relaychat-electron-'));
  if (!userData) userDataDirs.push(dir);
  // Chromium refuses to start as root with its OS sandbox (CI containers).
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const app = await _electron.launch({
    executablePath: env.binary,
    args: [...rootArgs, ROOT],
    env: { ...process.env, RELAY_URL: relay.url, RELAYCHAT_USER_DATA: dir, RELAYCHAT_TEST_HOOKS: '1' },
  });
  apps.push(app);
  const main = await app.firstWindow();
  await main.waitForLoadState('domcontentloaded');
  main.on('pageerror', (err) => console.error(`[electron renderer] ${err.message}`));
  return { app, main, userData: dir };
}

async function signUp(page: Page, username: string, displayName: string): Promise<void> {
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByTestId('me-name')).toHaveText(displayName);
}

/** A second user outside the app: a real connection from client/. */
async function otherUser(username: string, displayName: string) {
  const res = await register(relay.url, username, 'correct horse battery', displayName);
  if (!res.ok) throw new Error(res.error.message);
  const link = new RelayConnection({ url: relay.url, storage: new MemoryQueueStorage() });
  links.push(link);
  const joined: Chat[] = [];
  link.on('chat:joined', ({ chat }) => joined.push(chat));
  link.start(res.token);
  await expect.poll(() => link.state().status).toBe('online');
  return { link, joined, user: res.user };
}

function notifications(app: ElectronApplication): Promise<Array<{ title: string; body: string }>> {
  return app.evaluate(() => {
    const hooks = (globalThis as { __relaychatTest?: TestHooks }).__relaychatTest;
    return (hooks?.notifications ?? []).map(({ title, body }) => ({ title, body }));
  });
}

function clickNotification(app: ElectronApplication, title: string): Promise<boolean> {
  return app.evaluate((_electron, wanted) => {
    const hooks = (globalThis as { __relaychatTest?: TestHooks }).__relaychatTest;
    const n = hooks?.notifications.filter((x) => x.title === wanted).at(-1);
    n?.click();
    return Boolean(n);
  }, title);
}

function windowCount(app: ElectronApplication): Promise<number> {
  return app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
}

test('the renderer is locked down: no Node, only the named preload API, no navigation, no new windows', async () => {
  const { app, main } = await launch();
  expect(main.url()).toBe('app://renderer/index.html');

  const surface = await main.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    api: Object.keys(window.relaychat ?? {}).sort(),
    ipc: 'ipcRenderer' in window || 'ipcRenderer' in (window.relaychat ?? {}),
  }));
  expect(surface).toEqual({ require: 'undefined', process: 'undefined', api: ['app', 'chat', 'events', 'request', 'session'], ipc: false });

  const opened = await main.evaluate(() => window.open('https://example.com/') === null);
  expect(opened).toBe(true);
  await main.evaluate(() => {
    location.href = 'https://example.com/';
  });
  await main.waitForTimeout(500);
  expect(main.url()).toBe('app://renderer/index.html');
  expect(await windowCount(app)).toBe(1);
  await app.close();
});

test('sign in, an invite notification’s click opens exactly that chat’s window, one window per chat, kept session', async () => {
  const { app, main, userData } = await launch();
  const bobName = `bob${stamp}`;
  await signUp(main, bobName, 'Bob');

  const alice = await otherUser(`alice${stamp}`, 'Alice');
  expect((await alice.link.request('friends:request', { username: bobName })).ok).toBe(true);
  await main.getByTestId('friend-requests').locator(`[data-username="alice${stamp}"]`).getByRole('button', { name: 'Accept' }).click();

  const invite = await alice.link.request('invite:create', { to: bobName });
  expect(invite.ok).toBe(true);
  await expect.poll(async () => (await notifications(app)).map((n) => n.title)).toContain('Alice invites you to chat');

  const chatWindowPromise = app.waitForEvent('window');
  expect(await clickNotification(app, 'Alice invites you to chat')).toBe(true);
  const chatWindow = await chatWindowPromise;
  await chatWindow.waitForLoadState('domcontentloaded');
  await expect.poll(() => alice.joined.length).toBe(1);
  const chatId = alice.joined[0]!.id;
  expect(chatWindow.url()).toBe(`app://renderer/index.html#chat=${encodeURIComponent(chatId)}`);
  expect(await windowCount(app)).toBe(2);

  // Messages show in the chat's window.
  await alice.link.send(chatId, 'hello from alice');
  await expect(chatWindow.getByTestId('message-body').filter({ hasText: 'hello from alice' })).toBeVisible();

  // Opening the chat again, from the main window, focuses the same window.
  await main.evaluate((id) => window.relaychat!.chat.open(id), chatId);
  await main.waitForTimeout(300);
  expect(await windowCount(app)).toBe(2);

  // A new-message notification's click focuses that window, opening no other.
  await main.bringToFront();
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().find((w) => w.webContents.getURL().includes('#chat='))?.blur());
  await alice.link.send(chatId, 'are you there?');
  await expect.poll(async () => (await notifications(app)).some((n) => n.body === 'are you there?')).toBe(true);
  await clickNotification(app, 'Alice');
  await expect
    .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getFocusedWindow()?.webContents.getURL() ?? ''))
    .toContain('#chat=');
  expect(await windowCount(app)).toBe(2);

  // Closing the chat window forgets it; opening the chat makes a fresh one.
  await chatWindow.close();
  await expect.poll(() => windowCount(app)).toBe(1);
  const reopened = app.waitForEvent('window');
  await main.evaluate((id) => window.relaychat!.chat.open(id), chatId);
  expect((await reopened).url()).toContain(`#chat=${encodeURIComponent(chatId)}`);
  expect(await windowCount(app)).toBe(2);
  await app.close();

  // The next start is signed in with the kept token.
  const again = await launch(userData);
  await expect(again.main.getByTestId('me-name')).toHaveText('Bob');
  await again.app.close();
});
