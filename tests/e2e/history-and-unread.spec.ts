// A long chat seeded over a real socket, then read in the browser: unread counts and
// the title badge, the virtualized list, older pages on scroll-up, the one-chat window
// route, typing, and the offline banner with catch-up.
import { expect, test, type Page } from '@playwright/test';
import { call, connect, ok, register, type TestSocket } from '../helpers/clients';
import { relayUrl, screenshot, uniqueName } from './app-driver';
import { expectAccessible } from './axe';

const PASSWORD = 'correct horse battery';
const SEEDED = 150;
let sent = 0;
const body = (i: number) => `m${String(i).padStart(3, '0')}`;

async function sendAll(socket: TestSocket, chatId: string, bodies: string[]): Promise<void> {
  for (const text of bodies) {
    const clientMsgId = `seed-${sent++}`;
    // The relay allows bursts of 100, then 10/s: wait out rate_limited and resend the
    // same clientMsgId (bounded).
    for (let attempt = 0; ; attempt++) {
      const res = await call(socket, 'chat:send', { chatId, clientMsgId, body: text });
      if (res.ok) break;
      if (res.error.code !== 'rate_limited' || attempt > 50) throw new Error(`chat:send: ${res.error.code}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(relayUrl());
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('long history, unread badge, scroll-up paging, single-chat route, offline catch-up', async ({ browser }) => {
  const url = relayUrl();
  const bot = await register(url, uniqueName('bot'), PASSWORD, 'Bot Bailey');
  const ann = await register(url, uniqueName('ann'), PASSWORD, 'Ann Archer');
  const botSocket = await connect(url, bot.token);
  const annSocket = await connect(url, ann.token);
  await ok(botSocket, 'friends:request', { username: ann.user.username });
  await ok(annSocket, 'friends:accept', { username: bot.user.username });
  const { invite } = await ok(botSocket, 'invite:create', { to: ann.user.username });
  const { chat } = await ok(annSocket, 'invite:accept', { inviteId: invite.id });
  annSocket.close();
  await sendAll(botSocket, chat.id, Array.from({ length: SEEDED }, (_, i) => body(i + 1)));

  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, ann.user.username);
  const row = page.getByTestId('chat-list').getByRole('button', { name: /^Bot Bailey/ });
  await expect(row.getByTestId('unread')).toHaveText(String(SEEDED));
  await expect(page).toHaveTitle(`(${SEEDED}) RelayChat`);
  await expectAccessible(page, 'main screen with 150 unread');

  // Opening the chat reads it: the latest page, few DOM rows, the badge clears.
  await row.click();
  const panel = page.locator('[data-testid="chat-panel"]:visible');
  await expect(panel.getByTestId('message-body').filter({ hasText: body(SEEDED) })).toBeVisible();
  await expect(row.getByTestId('unread')).toHaveCount(0);
  await expect(page).toHaveTitle('RelayChat');
  expect(await panel.getByTestId('message').count()).toBeLessThan(60);
  await expectAccessible(page, 'long direct chat, latest page');

  // Scrolling up pages in older history until the very first message.
  const scroller = panel.getByTestId('message-scroller');
  for (let i = 0; i < 30 && (await panel.getByText('This is the beginning of the chat.').count()) === 0; i++) {
    await scroller.evaluate((el) => (el.scrollTop = 0));
    await page.waitForTimeout(250);
  }
  await expect(panel.getByText('This is the beginning of the chat.')).toBeAttached();
  // Each page keeps the reader's place, so the last page lands above the viewport.
  await scroller.evaluate((el) => (el.scrollTop = 0));
  await expect(panel.getByText('This is the beginning of the chat.')).toBeVisible();
  await expect(panel.getByTestId('message-body').filter({ hasText: body(1) })).toBeVisible();
  await expectAccessible(page, 'long chat scrolled to its beginning');
  const shown = await panel.getByTestId('message-body').allTextContents();
  expect(shown).toEqual([...shown].sort());
  expect(await panel.getByTestId('message').count()).toBeLessThan(60);

  // The Electron chat-window route: only that chat, nothing else.
  const single = await context.newPage();
  await single.goto(`${url}/#chat=${encodeURIComponent(chat.id)}`);
  await expect(single.getByTestId('chat-title')).toContainText('Bot Bailey');
  await expect(single.getByRole('complementary', { name: 'Sidebar' })).toHaveCount(0);
  await expect(single.getByTestId('message-body').filter({ hasText: body(SEEDED) })).toBeVisible();
  await screenshot(single, 'single-chat-window');
  await expectAccessible(single, 'single-chat window');
  await single.close();

  // Typing hints come and go.
  await ok(botSocket, 'chat:typing', { chatId: chat.id });
  await expect(panel.getByTestId('typing')).toHaveText('Bot Bailey is typing…');
  await expect(panel.getByTestId('typing')).toHaveText('', { timeout: 6000 });

  // Offline: a banner; what was sent meanwhile arrives once on reconnect.
  await context.setOffline(true);
  await expect(page.getByTestId('connection-banner')).toBeVisible({ timeout: 30_000 });
  await screenshot(page, 'offline-banner');
  await expectAccessible(page, 'offline banner');
  await sendAll(botSocket, chat.id, ['while you were away']);
  await context.setOffline(false);
  await expect(page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 30_000 });
  await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(panel.getByTestId('message-body').filter({ hasText: 'while you were away' })).toHaveCount(1);
  await expect(panel.getByTestId('message-body').last()).toHaveText('while you were away');

  botSocket.close();
  await context.close();
});
