// What users of Slack and Element expect of the chat window, and what a screen-reader or
// keyboard user needs (issue 14): driven through roles, labels and visible text.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { ok } from '../helpers/clients';
import { relayUrl, screenshot, uniqueName } from './app-driver';
import { expectAccessible } from './axe';
import { contrastFailures } from './contrast';
import { befriend, fillSignIn, inviteAndAccept, OwnRelay, PASSWORD, say, seedTrio, seedUser, signIn } from './seed';

function chatRow(page: Page, title: string | RegExp): Locator {
  return page.getByRole('region', { name: 'Chats' }).getByRole('button', { name: title });
}

test('screen readers: a heading, a skip link, a message log with named messages, chat kinds and unread in words', async ({ browser }) => {
  const url = relayUrl();
  const { ann, bob, cyd, direct, group } = await seedTrio(url);
  await say(bob, direct.id, 'first');
  await say(bob, direct.id, 'second');
  ann.socket.close();
  const annPage = await signIn(browser, url, ann);
  const { page } = annPage;

  await expect(page.getByRole('heading', { level: 1, name: 'RelayChat' })).toBeAttached();
  await expect(chatRow(page, /^Bob Baker( \d+ unread)?$/)).toHaveAccessibleDescription('Direct chat');
  await expect(chatRow(page, /Cyd Cole/)).toHaveAccessibleDescription('Group chat');
  await expectAccessible(page, 'main screen with a direct and a group chat, unread');

  await chatRow(page, /Cyd Cole/).click();
  await chatRow(page, /^Bob Baker( \d+ unread)?$/).click();
  const log = annPage.panel().getByRole('log', { name: 'Messages' });
  await expect(log.getByRole('article', { name: /^Bob Baker, \d{1,2}:\d{2}.*: first$/ })).toBeVisible();
  // The second has no visible header (same sender, same minute) but still says whose it is.
  await expect(log.getByRole('article', { name: /^Bob Baker, \d{1,2}:\d{2}.*: second$/ })).toBeVisible();
  await expectAccessible(page, 'direct chat beside a group chat tab');

  // A day separator, times without a leading zero, and the full date on hover.
  await expect(log.getByRole('separator', { name: 'Today' })).toBeVisible();
  const time = log.getByRole('article', { name: /first$/ }).locator('time');
  await expect(time).toHaveText(/^[1-9]\d?:\d{2}/);
  await expect(time).toHaveAttribute('title', new RegExp(String(new Date().getFullYear())));

  // New messages are announced politely (a log is a polite live region).
  await expect(log).not.toHaveAttribute('aria-live', 'off');
  await expect(log).not.toHaveAttribute('aria-live', 'assertive');

  // A tab's badge reads as words.
  await say(cyd, group.id, 'in the group');
  await expect(page.getByRole('tab', { name: /Cyd Cole.* 1 unread$/ })).toBeVisible();
  await expectAccessible(page, 'tab with an unread badge');

  // The skip link is the first stop of a fresh page and lands in the conversation.
  await page.reload();
  await expect(annPage.bodies()).toHaveText(['first', 'second']);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to conversation' });
  await expect(skip).toBeFocused();
  await screenshot(page, 'skip-link');
  await expectAccessible(page, 'skip link focused');
  await page.keyboard.press('Enter');
  await expect(annPage.panel().getByRole('textbox', { name: 'Message Bob Baker' })).toBeFocused();

  // Removing a friend asks for a second click, and says so.
  await page.getByRole('button', { name: 'Remove Bob Baker' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Click again to remove Bob Baker' })).toBeAttached();
  await expectAccessible(page, 'remove-friend confirmation');
});

test('the composer: focused on opening or accepting a chat, a draft per chat, Escape puts panes away, Ctrl+K switches', async ({ browser }) => {
  const url = relayUrl();
  const ann = await seedUser(url, 'ann', 'Ann Archer');
  const bob = await seedUser(url, 'bob', 'Bob Baker');
  const cyd = await seedUser(url, 'cyd', 'Cyd Cole');
  await befriend(ann, bob);
  await befriend(ann, cyd);
  await inviteAndAccept(ann, bob);
  ann.socket.close();
  const annPage = await signIn(browser, url, ann, { width: 800, height: 600 });
  const { page } = annPage;

  await chatRow(page, /^Bob Baker( \d+ unread)?$/).click();
  const box = annPage.panel().getByRole('textbox', { name: 'Message Bob Baker' });
  await expect(box).toBeFocused();
  await expectAccessible(page, 'direct chat at 800×600');

  // A draft outlives closing the tab.
  await box.fill('half a thought');
  await page.getByRole('button', { name: 'Close Bob Baker' }).click();
  await chatRow(page, /^Bob Baker( \d+ unread)?$/).click();
  await expect(box).toHaveValue('half a thought');

  // Escape closes the members pane opened over the conversation.
  await annPage.panel().getByRole('button', { name: 'Members' }).click();
  await expect(annPage.panel().getByRole('complementary', { name: 'Members' })).toBeVisible();
  await expectAccessible(page, 'members pane over the conversation at 800×600');
  await page.keyboard.press('Escape');
  await expect(annPage.panel().getByRole('complementary', { name: 'Members' })).toBeHidden();

  // Ctrl+K: a quick switcher over chats and friends.
  await page.keyboard.press('Control+k');
  const switcher = page.getByRole('dialog', { name: 'Jump to a chat or friend' });
  await expect(switcher).toBeVisible();
  await expect(switcher.getByRole('combobox')).toBeFocused();
  await screenshot(page, 'quick-switcher');
  await expectAccessible(page, 'quick switcher (Ctrl+K)');
  await page.keyboard.press('Escape');
  await expect(switcher).toBeHidden();
  await page.keyboard.press('Control+k');
  await switcher.getByRole('combobox').fill('bob');
  await expect(switcher.getByRole('option')).toHaveCount(1);
  await expectAccessible(page, 'quick switcher filtered');
  await page.keyboard.press('Enter');
  await expect(switcher).toBeHidden();
  await expect(box).toBeFocused();

  // Accepting an invite puts the cursor in the new chat's composer.
  const cydPage = await signIn(browser, url, cyd);
  await annPage.friendRow(cyd.user.username).getByRole('button', { name: 'Invite Cyd Cole to chat' }).click();
  await cydPage.page.getByTestId('incoming-invites').getByRole('button', { name: 'Accept' }).click();
  await expect(cydPage.panel().getByRole('textbox', { name: 'Message Ann Archer' })).toBeFocused();
  await expectAccessible(cydPage.page, 'chat just accepted from an invite');
});

test('human words next to the field, a friend request toast with Accept that keeps off the composer, the next step for a new user', async ({ browser }) => {
  const url = relayUrl();
  const bob = await seedUser(url, 'bob', 'Bob Baker');
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(url);
  const username = uniqueName('new');
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill('Nia New');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();

  // A brand-new user is shown the next step.
  await expect(page.getByRole('heading', { name: 'Start your first chat' })).toBeVisible();
  await screenshot(page, 'first-run');
  await expectAccessible(page, 'first run');
  await page.getByRole('button', { name: 'Add a friend' }).click();
  const field = page.getByRole('textbox', { name: 'Add a friend by username' });
  await expect(field).toBeFocused();

  // An unknown name is answered next to the field, in words.
  await field.fill('nobody_x');
  await field.press('Enter');
  await expect(field).toHaveAccessibleDescription('No one is called nobody_x.');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('toast')).toHaveCount(0);
  await expectAccessible(page, 'add-friend field with an error');

  // A friend request arrives as a toast that can be accepted there.
  await ok(bob.socket, 'friends:request', { username });
  const toast = page.getByTestId('toast').filter({ hasText: 'sent you a friend request' });
  await expect(toast).toBeVisible();
  await expectAccessible(page, 'friend request toast with Accept');
  await toast.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('region', { name: 'Friends' }).getByText('Bob Baker')).toBeVisible();

  // Toasts keep off the composer.
  await inviteAndAcceptFromUi(page, bob);
  const composer = page.getByRole('textbox', { name: 'Message Bob Baker' });
  await expect(composer).toBeVisible();
  const cyd = await seedUser(url, 'cyd', 'Cyd Cole');
  await ok(cyd.socket, 'friends:request', { username });
  const notice = page.getByTestId('toast').filter({ hasText: 'Cyd Cole' });
  await expect(notice).toBeVisible();
  const a = await notice.boundingBox();
  const b = await composer.boundingBox();
  expect(a && b && (a.y + a.height <= b.y || a.x + a.width <= b.x || b.x + b.width <= a.x)).toBe(true);
  await screenshot(page, 'toast-and-composer');
  await expectAccessible(page, 'toast beside the composer');
  await context.close();
});

async function inviteAndAcceptFromUi(page: Page, bob: Awaited<ReturnType<typeof seedUser>>): Promise<void> {
  const invite = new Promise<string>((resolve) => bob.socket.once('invite:received', ({ invite: i }) => resolve(i.id)));
  await page.getByRole('button', { name: 'Invite Bob Baker to chat' }).click();
  await ok(bob.socket, 'invite:accept', { inviteId: await invite });
}

test('a sent friend request can be withdrawn; a crossing invite is answered, not crossed', async ({ browser }) => {
  const url = relayUrl();
  const ann = await seedUser(url, 'ann', 'Ann Archer');
  const bob = await seedUser(url, 'bob', 'Bob Baker');
  const dee = await seedUser(url, 'dee', 'Dee Dunn');
  await befriend(ann, bob);
  bob.socket.close();
  const bobPage = await signIn(browser, url, bob);
  const { page } = bobPage;

  // Withdrawing a request Bob sent to Dee.
  await bobPage.addFriend(dee.user.username);
  const sent = page.getByRole('list', { name: 'Sent friend requests' });
  await expect(sent).toContainText('Dee Dunn');
  await expectAccessible(page, 'sent friend request with Withdraw');
  await sent.getByRole('button', { name: 'Withdraw the request to Dee Dunn' }).click();
  await expect(sent).toHaveCount(0);
  const { incoming } = await ok(dee.socket, 'friends:list', {});
  expect(incoming.some((u) => u.id === bob.user.id)).toBe(false);

  // Ann invites Bob; Bob's row for Ann offers her invite rather than a crossing one.
  await ok(ann.socket, 'invite:create', { to: bob.user.username });
  const annRow = bobPage.friendRow(ann.user.username);
  const accept = annRow.getByRole('button', { name: 'Accept invite from Ann Archer' });
  await expect(accept).toHaveText('Accept invite');
  await expectAccessible(page, 'friend row offering an invite');
  await expect(annRow.getByRole('button', { name: /Invite .* to chat/ })).toHaveCount(0);
  await accept.click();
  await expect(bobPage.panel().getByRole('textbox', { name: 'Message Ann Archer' })).toBeFocused();
});

test('names typed back to back into the add-friend field are all sent, on a slow network too', async ({ browser }) => {
  const url = relayUrl();
  const [ann, bob, cyd] = await Promise.all([seedUser(url, 'ann', 'Ann Archer'), seedUser(url, 'bob', 'Bob Baker'), seedUser(url, 'cyd', 'Cyd Cole')]);
  ann.socket.close();
  // The relay's answers reach Ann's page 400 ms late (order kept), so every name is typed
  // while the request before it is still unanswered. Typing starts once the client has
  // moved from long-polling to the WebSocket delayed here (engine.io's "5" ends the upgrade).
  const context = await browser.newContext({ locale: 'en-US' });
  let upgraded!: () => void;
  const onWebSocket = new Promise<void>((resolve) => (upgraded = resolve));
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      server.send(message);
      if (message === '5') upgraded();
    });
    server.onMessage((message) => setTimeout(() => ws.send(message), 400));
  });
  const page = await context.newPage();
  await page.goto(url);
  await fillSignIn(page, ann);
  await expect(page.getByTestId('me-name')).toHaveText('Ann Archer');
  await onWebSocket;

  const field = page.getByRole('textbox', { name: 'Add a friend by username' });
  for (const name of ['nobody_x', bob.user.username, cyd.user.username]) {
    await field.fill(name);
    await field.press('Enter');
  }
  const sent = page.getByRole('list', { name: 'Sent friend requests' });
  await expect(sent).toContainText('Bob Baker');
  await expect(sent).toContainText('Cyd Cole');
  // The earlier name's refusal is not pinned on the field that now holds another name.
  await expect(page.getByTestId('toast').filter({ hasText: 'No one is called nobody_x.' })).toBeVisible();
  await expect(field).toHaveValue('');
  await expect(field).not.toHaveAttribute('aria-invalid', 'true');
  const { incoming: bobIncoming } = await ok(bob.socket, 'friends:list', {});
  const { incoming: cydIncoming } = await ok(cyd.socket, 'friends:list', {});
  expect(bobIncoming.map((u) => u.id)).toEqual([ann.user.id]);
  expect(cydIncoming.map((u) => u.id)).toEqual([ann.user.id]);
  await context.close();
});

test('the offline banner retries now on request', async ({ browser }) => {
  test.setTimeout(90_000);
  const relay = new OwnRelay();
  await relay.start();
  try {
    const ann = await seedUser(relay.url, 'ann', 'Ann Archer');
    ann.socket.close();
    const annPage = await signIn(browser, relay.url, ann);
    const { page } = annPage;
    await relay.stop();
    const banner = page.getByRole('status').filter({ hasText: 'Offline' });
    await expect(banner).toBeVisible({ timeout: 15_000 });
    // Let the backoff grow past what the check below allows.
    await expect(banner).toContainText(/next try in ([6-9]|\d\d+) s/, { timeout: 40_000 });
    await expectAccessible(page, 'offline banner with Retry now');
    await relay.start();
    await banner.getByRole('button', { name: 'Retry now' }).click();
    await expect(banner).toHaveCount(0, { timeout: 4_000 });
  } finally {
    await relay.dispose();
  }
});

test('sign-up errors are said next to their fields, in words', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(relayUrl());
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill('x');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Username')).toHaveAccessibleDescription(/Usernames are 3–32 letters/);
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription('Password must be at least 8 characters.');
  await expect(page.getByLabel('Username')).toBeFocused();
  await screenshot(page, 'sign-up-errors');
  await expectAccessible(page, 'sign-up form with field errors');
  await context.close();
});

test('screens for the README and for looking at: a direct chat and a group, wide and at 800×600', async ({ browser }) => {
  const url = relayUrl();
  const { ann, bob, cyd, direct, group } = await seedTrio(url);
  const lines: Array<[typeof ann, string]> = [
    [bob, 'Morning! Did the relay come back up after the deploy?'],
    [ann, 'It did: everything queued while it was down went out in order.'],
    [bob, 'Nice. And the unread counts?'],
    [ann, 'Right where they should be. Read on one device, read everywhere.'],
  ];
  for (const [who, text] of lines) await say(who, direct.id, text);
  await say(cyd, group.id, 'Hi both, thanks for adding me.');
  await say(ann, group.id, 'Welcome, Cyd!');
  ann.socket.close();

  for (const viewport of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
    const annPage = await signIn(browser, url, ann, viewport);
    const { page } = annPage;
    const suffix = viewport.width === 1280 ? '' : '-800x600';
    await chatRow(page, /Cyd Cole/).click();
    await expect(annPage.bodies().last()).toHaveText('Welcome, Cyd!');
    await page.locator(':focus').blur();
    await screenshot(page, `readme-group${suffix}`);
    await expectAccessible(page, `group chat${suffix}`);
    await chatRow(page, /^Bob Baker( \d+ unread)?$/).click();
    await expect(annPage.bodies()).toHaveCount(lines.length);
    await page.locator(':focus').blur();
    await screenshot(page, `readme-chat${suffix}`);
    await expectAccessible(page, `direct chat${suffix}`);
    await page.context().close();
  }
});

test('text contrast is at least 4.5:1 (3:1 when large) on the screens a user meets', async ({ browser }) => {
  const url = relayUrl();
  const ann = await seedUser(url, 'ann', 'Ann Archer');
  const bob = await seedUser(url, 'bob', 'Bob Baker');
  await befriend(ann, bob);
  const chat = await inviteAndAccept(ann, bob);
  await say(bob, chat.id, 'hello there');
  await say(bob, chat.id, 'unread one');
  ann.socket.close();

  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(url);
  expect(await contrastFailures(page)).toEqual([]);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByRole('button', { name: 'Sign up' }).click();
  expect(await contrastFailures(page)).toEqual([]);
  await context.close();

  const annPage = await signIn(browser, url, ann);
  expect(await contrastFailures(annPage.page)).toEqual([]);
  await chatRow(annPage.page, /^Bob Baker/).click();
  await expect(annPage.bodies()).toHaveCount(2);
  expect(await contrastFailures(annPage.page)).toEqual([]);
});
