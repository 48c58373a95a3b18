// What the Playwright _electron specs share: a real relay, launching the built app with
// its own userData, signing up through the UI, other users as real client/ connections,
// and the main-process test hooks (RELAYCHAT_TEST_HOOKS=1) that reach what a driver
// cannot click: native notifications and the tray's native menu.
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '../../client/auth';
import { RelayConnection } from '../../client/connection';
import { MemoryQueueStorage } from '../../client/queue-storage';
import type { Chat } from '../../protocol/types';
import type { TrayMenuItem } from '../../electron/tray-menu';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { ROOT, electronEnv, ensureBuilt } from './electron-env';

export interface TrayView {
  tooltip: string;
  title: string;
  unread: number;
  menu: TrayMenuItem[];
}

interface TestHooks {
  notifications: Array<{ title: string; body: string; click: () => void }>;
  tray: TrayView | null;
  trayCommand: ((id: string) => Promise<void>) | null;
}

export interface Launched {
  app: ElectronApplication;
  main: Page;
  userData: string;
}

export interface DesktopDriver {
  relay(): RelayProcess;
  stamp: string;
  launch(options?: { userData?: string; args?: string[]; waitForWindow?: boolean }): Promise<Launched>;
  signUp(page: Page, username: string, displayName: string): Promise<void>;
  otherUser(username: string, displayName: string): Promise<{ link: RelayConnection; joined: Chat[] }>;
}

/** Skips the calling spec, with the reason printed, where Electron cannot run. */
export function skipWithoutElectron(): void {
  const env = electronEnv();
  if (!env.ok) console.log(`[tests/electron] skipped: ${env.reason}`);
  test.skip(!env.ok, env.ok ? '' : env.reason);
}

/** Registers the spec's beforeAll/afterAll: one relay, and everything launched is cleaned up. */
export function useDesktopDriver(): DesktopDriver {
  let relay: RelayProcess | null = null;
  const userDataDirs: string[] = [];
  const apps: ElectronApplication[] = [];
  const links: RelayConnection[] = [];

  test.beforeAll(async () => {
    if (!electronEnv().ok) return;
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

  const currentRelay = (): RelayProcess => {
    if (!relay) throw new Error('no relay: Electron cannot run here');
    return relay;
  };

  return {
    relay: currentRelay,
    stamp: Date.now().toString(36).slice(-5),
    async launch(options = {}) {
      const env = electronEnv();
      if (!env.ok) throw new Error(env.reason);
      const dir = options.userData ?? mkdtempSync(join(tmpdir(), 'relaychat-electron-'));
      if (!options.userData) userDataDirs.push(dir);
      // Chromium refuses to start as root with its OS sandbox (CI containers).
      const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
      const app = await _electron.launch({
        executablePath: env.binary,
        args: [...rootArgs, ROOT, ...(options.args ?? [])],
        env: { ...process.env, RELAY_URL: currentRelay().url, RELAYCHAT_USER_DATA: dir, RELAYCHAT_TEST_HOOKS: '1' },
      });
      apps.push(app);
      if (options.waitForWindow === false) return { app, main: null as unknown as Page, userData: dir };
      const main = await app.firstWindow();
      await main.waitForLoadState('domcontentloaded');
      main.on('pageerror', (err) => console.error(`[electron renderer] ${err.message}`));
      return { app, main, userData: dir };
    },
    async signUp(page, username, displayName) {
      await page.getByRole('button', { name: 'Create an account' }).click();
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Display name').fill(displayName);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await expect(page.getByTestId('me-name')).toHaveText(displayName);
    },
    async otherUser(username, displayName) {
      const url = currentRelay().url;
      const res = await register(url, username, 'correct horse battery', displayName);
      if (!res.ok) throw new Error(res.error.message);
      const link = new RelayConnection({ url, storage: new MemoryQueueStorage() });
      links.push(link);
      const joined: Chat[] = [];
      link.on('chat:joined', ({ chat }) => joined.push(chat));
      link.start(res.token);
      await expect.poll(() => link.state().status).toBe('online');
      return { link, joined };
    },
  };
}

export function notifications(app: ElectronApplication): Promise<Array<{ title: string; body: string }>> {
  return app.evaluate(() => {
    const hooks = (globalThis as { __relaychatTest?: TestHooks }).__relaychatTest;
    return (hooks?.notifications ?? []).map(({ title, body }) => ({ title, body }));
  });
}

export function clickNotification(app: ElectronApplication, title: string): Promise<boolean> {
  return app.evaluate((_electron, wanted) => {
    const hooks = (globalThis as { __relaychatTest?: TestHooks }).__relaychatTest;
    const n = hooks?.notifications.filter((x) => x.title === wanted).at(-1);
    n?.click();
    return Boolean(n);
  }, title);
}

export function windowCount(app: ElectronApplication): Promise<number> {
  return app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
}

export function trayView(app: ElectronApplication): Promise<TrayView | null> {
  return app.evaluate(() => (globalThis as { __relaychatTest?: TestHooks }).__relaychatTest?.tray ?? null);
}

/** Clicks an item of the tray's menu (the native menu itself is out of a driver's reach). */
export function trayCommand(app: ElectronApplication, id: string): Promise<void> {
  return app.evaluate(async (_electron, command) => {
    const hooks = (globalThis as { __relaychatTest?: TestHooks }).__relaychatTest;
    if (!hooks?.trayCommand) throw new Error('no tray');
    await hooks.trayCommand(command);
  }, id);
}
