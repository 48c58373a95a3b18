// The defects a walk-through of the web client found (issue 14), each as the user met
// it: the scene is set over the wire, then the browser is driven and read through roles,
// labels and visible text.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { ok } from '../helpers/clients';
import { relayUrl, screenshot } from './app-driver';
import { expectAccessible } from './axe';
import { befriend, fillSignIn, inviteAndAccept, OwnRelay, say, seedTrio, seedUser, signIn } from './seed';

const HEBREW_NAME = 'אנה כהן';
const HEBREW_TEXT = 'שלום, מה שלומך?';

function chatRow(page: Page, title: string | RegExp): Locator {
  return page.getByRole('region', { name: 'Chats' }).getByRole('button', { name: title });
}

async function direction(locator: Locator): Promise<string> {
  return locator.evaluate((el) => getComputedStyle(el).direction);
}

/** One line of text: no taller than its line height allows, whatever the width. */
async function lines(locator: Locator): Promise<number> {
  return locator.evaluate((el) => {
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.3;
    const pad = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    return Math.round((el.getBoundingClientRect().height - pad) / line);
  });
}

/** The text is cut short with an ellipsis by the box that holds it (itself, or an ancestor). */
async function endsInEllipsis(locator: Locator): Promise<boolean> {
  return locator.evaluate((start) => {
    for (let el: Element | null = start; el; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.overflowX === 'hidden') return style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth;
    }
    return false;
  });
}

test('defect 1: a message over 4,000 characters is refused with a counter and a clear message, never cut', async ({ browser }) => {
  const url = relayUrl();
  const ann = await seedUser(url, 'ann', 'Ann Archer');
  const bob = await seedUser(url, 'bob', 'Bob Baker');
  await befriend(ann, bob);
  await inviteAndAccept(ann, bob);
  const annPage = await signIn(browser, url, ann);
  const { page } = annPage;
  await chatRow(page, /Bob Baker/).click();
  const box = annPage.panel().getByRole('textbox', { name: 'Message Bob Baker' });

  // Far from the limit: no counter.
  await box.fill('a'.repeat(3000));
  await expect(annPage.panel().getByText('/ 4,000')).toHaveCount(0);

  // Near it: a counter.
  await box.fill('a'.repeat(3900));
  await expect(annPage.panel().getByText('3,900 / 4,000')).toBeVisible();
  await expectAccessible(page, 'composer with a length counter');

  // Over it: every character kept, the counter says by how much, and sending is refused.
  const tooLong = `${'word '.repeat(820)}end`;
  await box.fill(tooLong);
  expect(await box.inputValue()).toBe(tooLong);
  await expect(annPage.panel().getByText(`${tooLong.length.toLocaleString('en-US')} / 4,000`)).toBeVisible();
  await box.press('Enter');
  const refusal = annPage.panel().getByText(/too long to send/i);
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText(`${(tooLong.length - 4000).toLocaleString('en-US')} characters`);
  await expect(annPage.panel().getByRole('button', { name: 'Send' })).toBeDisabled();
  await expect(box).toHaveAttribute('aria-invalid', 'true');
  expect(await box.inputValue()).toBe(tooLong);
  await expect(annPage.bodies()).toHaveCount(0);
  await screenshot(page, 'composer-too-long');
  await expectAccessible(page, 'composer over the length limit');

  // Exactly at the limit it goes, whole.
  const atLimit = 'b'.repeat(4000);
  await box.fill(atLimit);
  await expect(refusal).toHaveCount(0);
  await box.press('Enter');
  await expect(annPage.bodies()).toHaveCount(1);
  expect((await annPage.bodies().first().textContent())?.length).toBe(4000);
  await expect(box).toHaveValue('');
  expect(annPage.errors).toEqual([]);
});

test('defect 2: right-to-left names and messages are laid out right to left', async ({ browser }) => {
  const url = relayUrl();
  const ann = await seedUser(url, 'ann', HEBREW_NAME);
  const bob = await seedUser(url, 'bob', 'Bob Baker');
  await befriend(ann, bob);
  const chat = await inviteAndAccept(ann, bob);
  await say(ann, chat.id, HEBREW_TEXT);
  await say(ann, chat.id, 'and now in English.');
  const bobPage = await signIn(browser, url, bob);
  const { page } = bobPage;

  await expect(direction(chatRow(page, HEBREW_NAME).getByText(HEBREW_NAME))).resolves.toBe('rtl');
  await expect(direction(page.getByRole('region', { name: 'Friends' }).getByText(HEBREW_NAME))).resolves.toBe('rtl');
  await chatRow(page, HEBREW_NAME).click();
  const panel = bobPage.panel();
  await expect(panel.getByText(HEBREW_TEXT)).toBeVisible();
  await expect(direction(panel.getByText(HEBREW_TEXT))).resolves.toBe('rtl');
  await expect(direction(panel.getByText('and now in English.'))).resolves.toBe('ltr');
  await expect(direction(panel.getByTestId('message-sender').filter({ hasText: HEBREW_NAME }))).resolves.toBe('rtl');
  await expect(direction(panel.getByRole('heading', { level: 2 }).getByText(HEBREW_NAME))).resolves.toBe('rtl');
  await expect(direction(panel.getByRole('complementary', { name: 'Members' }).getByText(HEBREW_NAME))).resolves.toBe('rtl');
  await expect(direction(page.getByRole('tab', { name: HEBREW_NAME }).getByText(HEBREW_NAME))).resolves.toBe('rtl');
  await screenshot(page, 'rtl');
  await expectAccessible(page, 'right-to-left names and messages');
});

test('defect 3: rejoining a group and opening it leaves nothing unread', async ({ browser }) => {
  const url = relayUrl();
  const { ann, bob, cyd, direct, group } = await seedTrio(url);
  await say(ann, group.id, 'before you left');
  cyd.socket.close();
  const cydPage = await signIn(browser, url, cyd);
  const { page } = cydPage;

  await chatRow(page, /Ann Archer, Bob Baker|Bob Baker, Ann Archer/).click();
  await expect(cydPage.bodies()).toHaveText(['before you left']);
  await cydPage.panel().getByRole('button', { name: 'Leave' }).click();
  await cydPage.panel().getByRole('button', { name: 'Click again to leave' }).click();
  await expect(page.getByRole('region', { name: 'Chats' }).getByRole('button')).toHaveCount(0);
  await expectAccessible(page, 'no chats left, friends kept');

  for (const text of ['while away 1', 'while away 2', 'while away 3']) await say(ann, group.id, text);
  await ok(ann.socket, 'invite:create', { to: cyd.user.username, chatId: group.id });
  await cydPage.page.getByTestId('incoming-invites').getByRole('button', { name: 'Accept' }).click();
  await expect(cydPage.bodies()).toHaveText(['before you left', 'while away 1', 'while away 2', 'while away 3']);
  // The ack and the join event both land after the accept; give them time to do harm.
  await page.waitForTimeout(1500);
  await expect(chatRow(page, /Ann Archer/)).not.toHaveAccessibleName(/unread/);
  await expect(page).toHaveTitle('RelayChat');
  await expect(page.getByRole('tab', { selected: true })).not.toContainText('3');
});

test('defect 4: after a reconnect, my own message sent while offline is not unread', async ({ browser }) => {
  const relay = new OwnRelay();
  await relay.start();
  try {
    const ann = await seedUser(relay.url, 'ann', 'Ann Archer');
    const bob = await seedUser(relay.url, 'bob', 'Bob Baker');
    await befriend(ann, bob);
    const chat = await inviteAndAccept(ann, bob);
    await say(bob, chat.id, 'hello Ann');
    ann.socket.close();
    const annPage = await signIn(browser, relay.url, ann);
    const { page } = annPage;
    await chatRow(page, /Bob Baker/).click();
    await expect(annPage.bodies()).toHaveText(['hello Ann']);
    await expect(page).toHaveTitle('RelayChat');

    await relay.stop();
    await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible({ timeout: 15_000 });
    await annPage.send('sent while offline');
    await expect(annPage.panel().getByText('Sending…')).toBeVisible();
    await expectAccessible(page, 'offline with a message sending');
    await relay.start();
    await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toHaveCount(0, { timeout: 30_000 });
    await expect(annPage.panel().getByText('Sending…')).toHaveCount(0, { timeout: 15_000 });
    await expect(annPage.bodies()).toHaveText(['hello Ann', 'sent while offline']);
    // The chat list answer of the reconnect lands around the read; let it.
    await page.waitForTimeout(1500);
    await expect(chatRow(page, /Bob Baker/)).not.toHaveAccessibleName(/unread/);
    await expect(page).toHaveTitle('RelayChat');
  } finally {
    await relay.dispose();
  }
});

test('defect 5: typing while the relay is down raises no error', async ({ browser }) => {
  test.setTimeout(90_000);
  const relay = new OwnRelay();
  await relay.start();
  try {
    const ann = await seedUser(relay.url, 'ann', 'Ann Archer');
    const bob = await seedUser(relay.url, 'bob', 'Bob Baker');
    await befriend(ann, bob);
    await inviteAndAccept(ann, bob);
    ann.socket.close();
    const annPage = await signIn(browser, relay.url, ann);
    const { page } = annPage;
    await chatRow(page, /Bob Baker/).click();
    const box = annPage.panel().getByRole('textbox', { name: 'Message Bob Baker' });

    await relay.stop();
    await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible({ timeout: 15_000 });
    // Type on and off for longer than the 10 s a request waits for the relay.
    for (let i = 0; i < 7; i++) {
      await box.pressSequentially('typing ', { delay: 20 });
      await page.waitForTimeout(2000);
    }
    await page.waitForTimeout(1000);
    await expect(page.getByTestId('toast')).toHaveCount(0);
    await expect(page.getByText(/Something went wrong|timed out/)).toHaveCount(0);
    await expectAccessible(page, 'offline after typing');
  } finally {
    await relay.dispose();
  }
});

test('defect 6: at 800×600 the conversation gets the room, nothing wraps, long names end in an ellipsis', async ({ browser }) => {
  const url = relayUrl();
  const longAnn = 'Annabelle Maximiliana Featherstonehaugh-Cholmondeley';
  const longBob = 'Bartholomew Alexander Montgomery-Wolstenholme III';
  const ann = await seedUser(url, 'ann', longAnn);
  const bob = await seedUser(url, 'bob', longBob);
  await befriend(ann, bob);
  const chat = await inviteAndAccept(ann, bob);
  await say(bob, chat.id, 'A message long enough to need more than one line at this width, so the layout shows how text wraps.');
  ann.socket.close();

  // Wide: the members pane is shown beside the conversation.
  const wide = await signIn(browser, url, ann, { width: 1440, height: 900 });
  await chatRow(wide.page, new RegExp(longBob)).click();
  await expect(wide.panel().getByRole('complementary', { name: 'Members' })).toBeVisible();
  await screenshot(wide.page, 'layout-1440x900');
  await expectAccessible(wide.page, 'direct chat at 1440×900');
  await wide.page.context().close();

  const annPage = await signIn(browser, url, ann, { width: 800, height: 600 });
  const { page } = annPage;
  await chatRow(page, new RegExp(longBob)).click();
  const panel = annPage.panel();
  await expect(panel.getByText('A message long enough')).toBeVisible();

  // The members pane waits behind its button; the conversation has most of the width.
  await expect(panel.getByRole('complementary', { name: 'Members' })).toBeHidden();
  const box = await panel.getByRole('textbox').boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(420);
  await screenshot(page, 'layout-800x600');
  await expectAccessible(page, 'direct chat at 800×600, long names');
  await panel.getByRole('button', { name: 'Members' }).click();
  await expect(panel.getByRole('complementary', { name: 'Members' })).toBeVisible();
  await screenshot(page, 'layout-800x600-members');
  await expectAccessible(page, 'members pane at 800×600, long names');
  await panel.getByRole('button', { name: 'Members' }).click();
  await expect(panel.getByRole('complementary', { name: 'Members' })).toBeHidden();

  // Nothing wraps onto two lines; long names are cut with an ellipsis instead.
  const sidebar = page.getByRole('complementary', { name: 'Sidebar' });
  expect(await lines(sidebar.getByRole('button', { name: 'Sign out' }))).toBe(1);
  const myName = sidebar.getByText(longAnn);
  expect(await lines(myName)).toBe(1);
  expect(await endsInEllipsis(myName)).toBe(true);
  expect(await lines(chatRow(page, new RegExp(longBob)))).toBe(1);
  expect(await lines(panel.getByRole('heading', { level: 2 }))).toBe(1);
  expect(await lines(page.getByRole('tab', { name: new RegExp(longBob) }))).toBe(1);
  const friend = page.getByRole('region', { name: 'Friends' }).getByText(longBob);
  expect(await lines(friend)).toBe(1);
  expect(await endsInEllipsis(friend)).toBe(true);
  expect(await endsInEllipsis(chatRow(page, new RegExp(longBob)).getByText(longBob))).toBe(true);
  for (const name of ['Members', 'Leave']) expect(await lines(panel.getByRole('button', { name, exact: true }))).toBe(1);

  // Narrower still, the sidebar too goes behind a button.
  await page.setViewportSize({ width: 700, height: 600 });
  await expect(sidebar).toBeHidden();
  const toggle = page.getByRole('button', { name: 'Menu' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await screenshot(page, 'layout-700x600');
  await expectAccessible(page, 'sidebar behind Menu at 700×600');
  await toggle.click();
  await expect(sidebar).toBeVisible();
  await screenshot(page, 'layout-700x600-sidebar');
  await expectAccessible(page, 'sidebar open over the chat at 700×600');
  // Picking a chat puts the sidebar away again.
  await chatRow(page, new RegExp(longBob)).click();
  await expect(sidebar).toBeHidden();
  await expect(panel.getByRole('textbox')).toBeVisible();
  expect(annPage.errors).toEqual([]);
});

test('defect 7: presence is unknown, not online, while this client is disconnected', async ({ browser }) => {
  const relay = new OwnRelay();
  await relay.start();
  try {
    const ann = await seedUser(relay.url, 'ann', 'Ann Archer');
    const bob = await seedUser(relay.url, 'bob', 'Bob Baker');
    await befriend(ann, bob);
    await inviteAndAccept(ann, bob);
    ann.socket.close();
    const annPage = await signIn(browser, relay.url, ann);
    const { page } = annPage;
    await chatRow(page, /Bob Baker/).click();
    const friendDot = page.getByRole('region', { name: 'Friends' }).getByRole('listitem').filter({ hasText: 'Bob Baker' }).getByRole('img');
    const memberDot = annPage.panel().getByRole('complementary', { name: 'Members' }).getByRole('listitem').filter({ hasText: 'Bob Baker' }).getByRole('img');
    await expect(friendDot).toHaveAccessibleName('online');
    await expect(memberDot).toHaveAccessibleName('online');

    await relay.stop();
    await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible({ timeout: 15_000 });
    await expect(friendDot).toHaveAccessibleName(/unknown/);
    await expect(memberDot).toHaveAccessibleName(/unknown/);
    await screenshot(page, 'presence-unknown');
    await expectAccessible(page, 'presence unknown while offline');

    // Back online, presence is the relay's word again: Bob's socket died with the relay.
    await relay.start();
    await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toHaveCount(0, { timeout: 30_000 });
    await expect(friendDot).toHaveAccessibleName('offline');
    await expect(memberDot).toHaveAccessibleName('offline');
  } finally {
    await relay.dispose();
  }
});

test('defect 8: a reload reopens the chats and the tab that were open, for that user only', async ({ browser }) => {
  const url = relayUrl();
  const { ann, bob, cyd, direct } = await seedTrio(url);
  await say(bob, direct.id, 'in the direct chat');
  ann.socket.close();
  bob.socket.close();
  const annPage = await signIn(browser, url, ann);
  const { page } = annPage;

  await chatRow(page, /Cyd Cole/).click();
  await chatRow(page, /^Bob Baker( \d+ unread)?$/).click();
  await expect(page.getByRole('tab')).toHaveCount(2);
  await expect(page.getByRole('tab', { selected: true })).toHaveText('Bob Baker');

  await page.reload();
  await expect(page.getByTestId('me-name')).toHaveText('Ann Archer');
  await expect(page.getByRole('tab')).toHaveCount(2);
  await expect(page.getByRole('tab', { selected: true })).toHaveText('Bob Baker');
  await expectAccessible(page, 'reopened tabs after a reload');
  await expect(annPage.bodies()).toHaveText(['in the direct chat']);

  // Closing a tab is remembered too.
  await page.getByRole('button', { name: /^Close .*Cyd Cole/ }).click();
  await page.reload();
  await expect(page.getByRole('tab', { selected: true })).toHaveText('Bob Baker');
  await expect(page.getByRole('tab')).toHaveCount(1);

  // Another user on the same browser does not get Ann's tabs, though Bob is in that chat.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await fillSignIn(page, bob);
  await expect(page.getByRole('heading', { name: 'Welcome to RelayChat' })).toBeVisible();
  await expectAccessible(page, 'welcome screen: friends, no open chat');
  await expect(page.getByRole('tab')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('me-name')).toHaveText('Bob Baker');
  await expect(page.getByRole('tab')).toHaveCount(0);
  expect(annPage.errors).toEqual([]);
});
