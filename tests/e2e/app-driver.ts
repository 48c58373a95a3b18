// Drives the web client the way a person does: through labels, roles and visible text.
import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const SCREENSHOTS = resolve(import.meta.dirname, '../../artifacts/screenshots');

export function relayUrl(): string {
  const url = process.env.RELAY_URL;
  if (!url) throw new Error('RELAY_URL is not set: tests/e2e/global-setup.ts starts the relay');
  return url;
}

/** Unique per run, so reruns against a kept relay never collide. */
export function uniqueName(base: string): string {
  return `${base}${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 100)}`;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`) });
}

export class Person {
  /** Console errors and uncaught exceptions (CSP violations show up here too). */
  readonly errors: string[] = [];

  constructor(
    readonly page: Page,
    readonly username: string,
    readonly displayName: string,
  ) {}

  static async open(browser: Browser, username: string, displayName: string): Promise<Person> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const person = new Person(page, username, displayName);
    page.on('pageerror', (err) => person.errors.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') person.errors.push(`console: ${msg.text()}`);
    });
    await page.goto(relayUrl());
    return person;
  }

  async signUp(password = 'correct horse battery'): Promise<void> {
    const { page } = this;
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill(this.username);
    await page.getByLabel('Display name').fill(this.displayName);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByTestId('me-name')).toHaveText(this.displayName);
  }

  friendRow(username: string): Locator {
    return this.page.getByTestId('friend-list').locator(`[data-username="${username}"]`);
  }

  async addFriend(username: string): Promise<void> {
    await this.page.getByLabel('Add a friend by username').fill(username);
    await this.page.getByLabel('Add a friend by username').press('Enter');
  }

  async acceptFriend(username: string): Promise<void> {
    await this.page.getByTestId('friend-requests').locator(`[data-username="${username}"]`).getByRole('button', { name: 'Accept' }).click();
    await expect(this.friendRow(username)).toBeVisible();
  }

  incomingInvites(): Locator {
    return this.page.getByTestId('incoming-invites').locator('li');
  }

  /** The chat panel in front (the web client keeps other open tabs hidden). */
  panel(): Locator {
    return this.page.locator('[data-testid="chat-panel"]:visible');
  }

  async send(body: string): Promise<void> {
    const box = this.panel().getByRole('textbox');
    await box.fill(body);
    await box.press('Enter');
  }

  bodies(): Locator {
    return this.panel().getByTestId('message-body');
  }

  chatRow(title: string): Locator {
    return this.page.getByTestId('chat-list').getByRole('button', { name: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\d+ unread)?$`) });
  }
}
