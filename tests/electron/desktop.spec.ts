// The desktop app in a real Electron: launch, sign in, an invite notification's click
// opens that chat's window, one window per chat, the renderer locked down. Runs where
// an Electron binary exists (a normal install or ELECTRON_OVERRIDE_DIST_PATH); skips
// with the printed reason elsewhere. The other user is a real client/ connection.
import { expect, test, type Page } from '@playwright/test';
import { clickNotification, notifications, skipWithoutElectron, useDesktopDriver, windowCount } from './desktop-driver';

skipWithoutElectron();
test.describe.configure({ mode: 'serial' });

const driver = useDesktopDriver();
const { stamp } = driver;
const launch = (userData?: string) => driver.launch({ userData });
const signUp = (page: Page, username: string, displayName: string) => driver.signUp(page, username, displayName);
const otherUser = (username: string, displayName: string) => driver.otherUser(username, displayName);

test('the renderer is locked down: no Node, only the named preload API, no navigation, no new windows', async () => {
  const { app, main } = await launch();
  expect(main.url()).toBe('app://renderer/index.html');

  const surface = await main.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    api: Object.keys(window.relaychat ?? {}).sort(),
    ipc: 'ipcRenderer' in window || 'ipcRenderer' in (window.relaychat ?? {}),
  }));
  expect(surface).toEqual({ require: 'undefined', process: 'undefined', api: ['chat', 'events', 'request', 'session'], ipc: false });

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
