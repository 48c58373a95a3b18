// The desktop app in a real Electron, around its windows: the tray and its menu,
// staying connected in the tray when the last window closes, notifications (and their
// clicks) with no window open, Do not disturb, what reopens on the next start, and a
// corrupt state file. Runs where an Electron binary exists; skips with the printed
// reason elsewhere (tests/unit/electron/desktop-shell.test.ts covers the same logic
// without Electron, against a real relay).
import { expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clickNotification, notifications, skipWithoutElectron, trayCommand, trayView, useDesktopDriver, windowCount } from './desktop-driver';

skipWithoutElectron();
test.describe.configure({ mode: 'serial' });

const driver = useDesktopDriver();
const HINT = 'Relay Chat keeps running in the tray';

function labels(view: Awaited<ReturnType<typeof trayView>>): string[] {
  return (view?.menu ?? []).flatMap((i) => (i.kind === 'separator' ? [] : [i.label]));
}

async function befriend(main: Page, me: string, other: string): Promise<Awaited<ReturnType<typeof driver.otherUser>>> {
  const cat = await driver.otherUser(other, 'Cat');
  expect((await cat.link.request('friends:request', { username: me })).ok).toBe(true);
  await main.getByTestId('friend-requests').locator(`[data-username="${other}"]`).getByRole('button', { name: 'Accept' }).click();
  await expect.poll(async () => (await cat.link.request('friends:list', {})).ok).toBe(true);
  return cat;
}

function chatWindowUrls(app: ElectronApplication): Promise<string[]> {
  return app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.webContents.getURL()).filter((u) => u.includes('#chat=')));
}

test('closing the last window keeps the app in the tray; invites and messages still notify and their clicks open that chat', async () => {
  const { app, main } = await driver.launch();
  const me = `tessa${driver.stamp}`;
  await driver.signUp(main, me, 'Tessa');
  const cat = await befriend(main, me, `cat${driver.stamp}`);
  await expect.poll(async () => labels(await trayView(app))).toContain('Signed in as Tessa');

  await main.close();
  await expect.poll(() => windowCount(app)).toBe(0);
  await expect.poll(async () => (await notifications(app)).filter((n) => n.title === HINT).length).toBe(1);

  const invite = await cat.link.request('invite:create', { to: me });
  expect(invite.ok).toBe(true);
  await expect.poll(async () => (await notifications(app)).map((n) => n.title)).toContain('Cat invites you to chat');
  const opened = app.waitForEvent('window');
  expect(await clickNotification(app, 'Cat invites you to chat')).toBe(true);
  const chatWindow = await opened;
  await expect.poll(() => cat.joined.length).toBe(1);
  const chatId = cat.joined[0]!.id;
  expect(chatWindow.url()).toBe(`app://renderer/index.html#chat=${encodeURIComponent(chatId)}`);
  expect(await windowCount(app)).toBe(1);

  await chatWindow.close();
  await expect.poll(() => windowCount(app)).toBe(0);
  await cat.link.send(chatId, 'still there?');
  await expect.poll(async () => (await notifications(app)).some((n) => n.title === 'Cat' && n.body === 'still there?')).toBe(true);
  await expect.poll(async () => (await trayView(app))?.tooltip).toBe('Relay Chat — 1 unread message');
  const reopened = app.waitForEvent('window');
  await clickNotification(app, 'Cat');
  expect((await reopened).url()).toContain(`#chat=${encodeURIComponent(chatId)}`);
  expect(await chatWindowUrls(app)).toHaveLength(1);

  // The hint is said once, not at every close.
  await trayCommand(app, 'open');
  await expect.poll(() => windowCount(app)).toBe(2);
  for (const page of app.windows()) await page.close();
  await expect.poll(() => windowCount(app)).toBe(0);
  expect((await notifications(app)).filter((n) => n.title === HINT)).toHaveLength(1);

  // Quit really quits.
  const closed = app.waitForEvent('close');
  await trayCommand(app, 'quit').catch(() => undefined);
  await closed;
});

test('Do not disturb silences notifications and says so in the tray', async () => {
  const { app, main } = await driver.launch();
  const me = `quinn${driver.stamp}`;
  await driver.signUp(main, me, 'Quinn');
  const cat = await befriend(main, me, `cat2${driver.stamp}`);
  await trayCommand(app, 'do-not-disturb');
  const view = await trayView(app);
  expect(labels(view)).toContain('Notifications are silenced');
  expect(view?.tooltip).toContain('Do not disturb');

  const invite = await cat.link.request('invite:create', { to: me });
  expect(invite.ok).toBe(true);
  await main.waitForTimeout(1_500);
  expect((await notifications(app)).map((n) => n.title)).not.toContain('Cat invites you to chat');

  await trayCommand(app, 'do-not-disturb');
  expect(labels(await trayView(app))).not.toContain('Notifications are silenced');
  await app.close();
});

test('the next start reopens the main window where it was and the chat windows that were open', async () => {
  const first = await driver.launch();
  const me = `vera${driver.stamp}`;
  await driver.signUp(first.main, me, 'Vera');
  const cat = await befriend(first.main, me, `cat3${driver.stamp}`);
  const invite = await cat.link.request('invite:create', { to: me });
  if (!invite.ok) throw new Error(invite.error.message);
  const accepted = await first.main.evaluate((id) => window.relaychat!.request('invite:accept', { inviteId: id }), invite.invite.id);
  if (!accepted.ok) throw new Error(accepted.error.message);
  const chatId = accepted.chat.id;
  await first.main.evaluate((id) => window.relaychat!.chat.open(id), chatId);
  await expect.poll(() => windowCount(first.app)).toBe(2);
  await first.app.evaluate(({ BrowserWindow }) => {
    const main = BrowserWindow.getAllWindows().find((w) => !w.webContents.getURL().includes('#chat='));
    main?.setBounds({ x: 120, y: 90, width: 900, height: 650 });
  });
  await first.main.waitForTimeout(1_000); // bounds are saved half a second after the last move
  const closed = first.app.waitForEvent('close');
  await trayCommand(first.app, 'quit').catch(() => undefined);
  await closed;

  const again = await driver.launch({ userData: first.userData });
  await expect(again.main.getByTestId('me-name')).toHaveText('Vera');
  await expect.poll(() => chatWindowUrls(again.app)).toEqual([`app://renderer/index.html#chat=${encodeURIComponent(chatId)}`]);
  const bounds = await again.app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows()
      .find((w) => !w.webContents.getURL().includes('#chat='))
      ?.getNormalBounds(),
  );
  expect(bounds).toMatchObject({ width: 900, height: 650 });
  await again.app.close();
});

test('a corrupt app-state.json is ignored: the app starts as new', async () => {
  const first = await driver.launch();
  await first.app.close();
  writeFileSync(join(first.userData, 'app-state.json'), '{"mainWindow": {"bounds": [');
  const again = await driver.launch({ userData: first.userData });
  await expect(again.main.getByRole('button', { name: 'Create an account' })).toBeVisible();
  expect(await windowCount(again.app)).toBe(1);
  await again.app.close();
});

test('started at login (--hidden) it comes up in the tray only, connected', async () => {
  const { app } = await driver.launch({ args: ['--hidden'], waitForWindow: false });
  await expect.poll(async () => (await trayView(app))?.tooltip).toBe('Relay Chat — signed out');
  expect(await windowCount(app)).toBe(0);
  await trayCommand(app, 'open');
  await expect.poll(() => windowCount(app)).toBe(1);
  await app.close();
});
