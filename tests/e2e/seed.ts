// Setting the scene over the wire (accounts, friendships, chats) so a test spends its
// time on the screen it is about, and a relay of a test's own that it can stop and
// start again for the offline cases (the shared relay of global-setup must stay up).
import { expect, type Browser, type Page, type ViewportSize } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Chat } from '../../protocol/types';
import { connect, ok, register, waitFor, type TestUser } from '../helpers/clients';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { Person, uniqueName } from './app-driver';

export const PASSWORD = 'correct horse battery';

export async function seedUser(url: string, base: string, displayName: string): Promise<TestUser> {
  const auth = await register(url, uniqueName(base), PASSWORD, displayName);
  return { user: auth.user, token: auth.token, socket: await connect(url, auth.token) };
}

export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  await ok(a.socket, 'friends:request', { username: b.user.username });
  await ok(b.socket, 'friends:accept', { username: a.user.username });
}

/** a invites b (into chatId, or a new direct chat); b accepts over its socket. */
export async function inviteAndAccept(a: TestUser, b: TestUser, chatId?: string): Promise<Chat> {
  const received = waitFor(b.socket, 'invite:received');
  const { invite } = await ok(a.socket, 'invite:create', chatId ? { to: b.user.username, chatId } : { to: b.user.username });
  await received;
  const { chat } = await ok(b.socket, 'invite:accept', { inviteId: invite.id });
  return chat;
}

/** Ann with friends Bob and Cyd, a direct chat with Bob, and a group of the three made from it. */
export async function seedTrio(url: string): Promise<{ ann: TestUser; bob: TestUser; cyd: TestUser; direct: Chat; group: Chat }> {
  const ann = await seedUser(url, 'ann', 'Ann Archer');
  const bob = await seedUser(url, 'bob', 'Bob Baker');
  const cyd = await seedUser(url, 'cyd', 'Cyd Cole');
  await befriend(ann, bob);
  await befriend(ann, cyd);
  const direct = await inviteAndAccept(ann, bob);
  const group = await inviteAndAccept(ann, cyd, direct.id);
  return { ann, bob, cyd, direct, group };
}

let sent = 0;
export async function say(from: TestUser, chatId: string, body: string): Promise<void> {
  await ok(from.socket, 'chat:send', { chatId, clientMsgId: `seed-${Date.now().toString(36)}-${sent++}`, body });
}

/** Signs a seeded user in through the sign-in form, in a browser context of its own. */
export async function signIn(browser: Browser, url: string, who: TestUser, viewport?: ViewportSize): Promise<Person> {
  // en-US: the tests read numbers as the page formats them for its locale ("4,000").
  const context = await browser.newContext({ locale: 'en-US', ...(viewport ? { viewport } : {}) });
  const page = await context.newPage();
  const person = new Person(page, who.user.username, who.user.displayName);
  page.on('pageerror', (err) => person.errors.push(`page error: ${err.message}`));
  await page.goto(url);
  await fillSignIn(page, who);
  return person;
}

export async function fillSignIn(page: Page, who: TestUser): Promise<void> {
  await page.getByLabel('Username').fill(who.user.username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('me-name')).toHaveText(who.user.displayName);
}

/** A relay for one test, serving the built web client; stop() and start() keep its port and data. */
export class OwnRelay {
  private relay: RelayProcess | null = null;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'relay-e2e-'));
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.relay = await startRelay({
      env: { WEB_DIR: resolve(import.meta.dirname, '../../dist/web') },
      dataDir: this.dataDir,
      port: this.port,
    });
    this.port = this.relay.port;
  }

  async stop(): Promise<void> {
    await this.relay?.stop();
  }

  async dispose(): Promise<void> {
    await this.relay?.stop();
    this.relay?.cleanup();
  }
}
