// Three people in separate browser contexts, a real relay, the built web client.
import { expect, test } from '@playwright/test';
import { Person, screenshot, uniqueName } from './app-driver';
import { expectAccessible } from './axe';


test('three users befriend, invite, chat in order, form a group, leave and rejoin', async ({ browser }) => {
  const ann = await Person.open(browser, uniqueName('ann'), 'Ann Archer');
  const bob = await Person.open(browser, uniqueName('bob'), 'Bob Baker');
  const cyd = await Person.open(browser, uniqueName('cyd'), 'Cyd Cole');

  await expect(ann.page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await screenshot(ann.page, 'sign-in');
  await expectAccessible(ann.page, 'sign-in form');

  await ann.signUp();
  await bob.signUp();
  await cyd.signUp();
  await expectAccessible(ann.page, 'first run (no friends, no chats)');

  // Friends: Ann asks both; each accepts from their incoming requests.
  await ann.addFriend(bob.username);
  await ann.addFriend(cyd.username);
  await expect(ann.page.getByTestId('outgoing-requests')).toContainText('Request sent to');
  await expectAccessible(ann.page, 'sent friend requests');
  await expect(bob.page.getByTestId('friend-requests')).toContainText(ann.displayName);
  await expectAccessible(bob.page, 'incoming friend request with its toast');
  await bob.acceptFriend(ann.username);
  await cyd.acceptFriend(ann.username);
  await expect(bob.page.getByTestId('toast').filter({ hasText: 'friend request' })).toHaveCount(0);
  await expect(ann.friendRow(bob.username).locator('[data-online]')).toHaveAttribute('data-online', 'true');
  await expect(ann.friendRow(cyd.username).locator('[data-online]')).toHaveAttribute('data-online', 'true');
  await screenshot(ann.page, 'friends-sidebar');
  await expectAccessible(ann.page, 'main screen with friends');

  // An invite Bob declines creates nothing.
  await ann.friendRow(bob.username).getByRole('button', { name: /Invite .* to chat/ }).click();
  await expect(bob.incomingInvites()).toHaveCount(1);
  await expect(bob.page.getByTestId('toast').filter({ hasText: 'invited you' })).toBeVisible();
  await expect(ann.page.getByTestId('outgoing-invites').locator('li')).toHaveCount(1);
  await screenshot(bob.page, 'invites');
  await expectAccessible(bob.page, 'incoming invite with its toast');
  await expectAccessible(ann.page, 'outgoing invite');
  await bob.incomingInvites().getByRole('button', { name: 'Decline' }).click();
  await expect(ann.page.getByTestId('outgoing-invites').locator('li')).toHaveCount(0);
  await expect(bob.incomingInvites()).toHaveCount(0);
  await expect(ann.page.getByTestId('chat-list').getByRole('button')).toHaveCount(0);
  await expect(bob.page.getByTestId('chat-list').getByRole('button')).toHaveCount(0);

  // An invite Ann cancels vanishes from Bob's side, toast included.
  await ann.friendRow(bob.username).getByRole('button', { name: /Invite .* to chat/ }).click();
  await expect(bob.incomingInvites()).toHaveCount(1);
  await ann.page.getByTestId('outgoing-invites').getByRole('button', { name: 'Cancel' }).click();
  await expect(bob.incomingInvites()).toHaveCount(0);
  await expect(bob.page.getByTestId('toast').filter({ hasText: 'invited you' })).toHaveCount(0);
  await expect(bob.page.getByTestId('toast').filter({ hasText: 'invite was cancelled' })).toBeVisible();
  await expectAccessible(bob.page, 'invite-cancelled toast');
  await expect(ann.page.getByTestId('toast').filter({ hasText: 'invite was cancelled' })).toHaveCount(0);

  // The next invite Bob accepts: the chat opens for both.
  await ann.friendRow(bob.username).getByRole('button', { name: /Invite .* to chat/ }).click();
  await bob.incomingInvites().getByRole('button', { name: 'Accept' }).click();
  await expect(bob.panel()).toBeVisible();
  await expect(ann.panel()).toBeVisible();
  await expect(ann.panel().getByTestId('chat-title')).toContainText('Bob Baker');

  // While the direct chat is active, the friend row opens it instead of inviting.
  await expect(ann.friendRow(bob.username).getByRole('button', { name: /Open chat with/ })).toBeVisible();

  // Typing shows on the other side.
  await bob.panel().getByRole('textbox').pressSequentially('hel');
  await expect(ann.panel().getByTestId('typing')).toHaveText('Bob Baker is typing…');
  await expectAccessible(ann.page, 'direct chat with a typing hint');
  await bob.panel().getByRole('textbox').fill('');

  // Interleaved messages: both see one order, the relay's seq order.
  const direct = ['a1: hi Bob', 'b1: hi Ann', 'a2: how are you?', 'b2: fine', 'a3: great'];
  for (const body of direct) await (body.startsWith('a') ? ann : bob).send(body);
  await expect(ann.bodies()).toHaveCount(direct.length);
  await expect(bob.bodies()).toHaveCount(direct.length);
  const annOrder = await ann.bodies().allTextContents();
  expect(await bob.bodies().allTextContents()).toEqual(annOrder);
  expect([...annOrder].sort()).toEqual([...direct].sort());
  await expect(ann.panel().locator('[data-state="pending"]')).toHaveCount(0);
  await screenshot(ann.page, 'chat');
  await expectAccessible(ann.page, 'direct chat with messages');

  // Ann invites Cyd from the direct chat: a new group chat, without the direct history.
  await ann.panel().getByLabel('Friend to invite').selectOption(cyd.username);
  await ann.panel().getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(cyd.incomingInvites()).toHaveCount(1);
  await cyd.incomingInvites().getByRole('button', { name: 'Accept' }).click();
  await expect(cyd.panel()).toBeVisible();
  await expect(cyd.panel().getByText('No messages yet')).toBeVisible();
  await expectAccessible(cyd.page, 'new group chat, no messages yet');
  await expect(cyd.bodies()).toHaveCount(0);
  await expect(ann.page.getByTestId('chat-list').getByRole('button')).toHaveCount(2);
  await expect(bob.page.getByTestId('chat-list').getByRole('button')).toHaveCount(2);
  await cyd.send('g1: hello group');
  const groupTitle = new RegExp(`^${cyd.displayName}, ${bob.displayName}|^${bob.displayName}, ${cyd.displayName}`);
  await ann.page.getByTestId('chat-list').getByRole('button', { name: groupTitle }).click();
  await expect(ann.bodies()).toHaveText(['g1: hello group']);
  await ann.send('g2: welcome Cyd');
  await expect(cyd.bodies()).toHaveText(['g1: hello group', 'g2: welcome Cyd']);
  await expect(cyd.panel().getByTestId('member-list').locator('li')).toHaveCount(3);
  await screenshot(cyd.page, 'group-chat');
  await expectAccessible(cyd.page, 'group chat with the members pane');

  // The direct chat's history is untouched by the group.
  await ann.chatRow(bob.displayName).click();
  await expect(ann.bodies()).toHaveText(annOrder);

  // Inviting Cyd from the direct chat again would duplicate the group: the refusal
  // offers the existing chat.
  await ann.panel().getByLabel('Friend to invite').selectOption(cyd.username);
  await ann.panel().getByRole('button', { name: 'Invite', exact: true }).click();
  const refusal = ann.page.getByTestId('toast').filter({ hasText: 'already exists' });
  await expect(refusal).toBeVisible();
  await expectAccessible(ann.page, 'toast with an action (chat already exists)');
  await refusal.getByRole('button', { name: 'Open that chat' }).click();
  await expect(ann.bodies()).toHaveText(['g1: hello group', 'g2: welcome Cyd']);
  await ann.chatRow(bob.displayName).click();

  // Both leave the direct chat (two clicks: Leave, then confirm); its panel closes.
  async function leave(p: Person, rowTitle: string): Promise<void> {
    await p.chatRow(rowTitle).click();
    await p.panel().getByRole('button', { name: 'Leave' }).click();
    await expectAccessible(p.page, 'leave confirmation');
    await p.panel().getByRole('button', { name: 'Click again to leave' }).click();
    await expect(p.chatRow(rowTitle)).toHaveCount(0);
  }
  await leave(bob, ann.displayName);
  await expect(bob.page.getByTestId('chat-list').getByRole('button')).toHaveCount(1);
  // Ann saw Bob go: the chat says so, and its member list shrinks to her alone.
  await ann.chatRow(`${bob.displayName} (left)`).click();
  await expect(ann.panel().getByTestId('member-list').locator('li')).toHaveCount(1);
  await expectAccessible(ann.page, 'chat a member has left');
  await leave(ann, `${bob.displayName} (left)`);
  await expect(ann.page.getByTestId('chat-list').getByRole('button')).toHaveCount(1);

  // A new direct invite brings back the same chat with its history intact.
  await ann.friendRow(bob.username).getByRole('button', { name: /Invite .* to chat/ }).click();
  await bob.incomingInvites().getByRole('button', { name: 'Accept' }).click();
  await expect(bob.panel().getByTestId('chat-title')).toContainText(ann.displayName);
  await expect(bob.bodies()).toHaveText(annOrder);
  await expect(ann.panel().getByTestId('chat-title')).toContainText(bob.displayName);
  await expect(ann.bodies()).toHaveText(annOrder);
  await bob.send('b3: back again');
  await expect(ann.bodies()).toHaveText([...annOrder, 'b3: back again']);

  // No script errors or CSP violations along the way.
  for (const p of [ann, bob, cyd]) expect(p.errors).toEqual([]);
});

test('sign-in errors are shown on the form', async ({ browser }) => {
  const first = await Person.open(browser, uniqueName('dee'), 'Dee');
  await first.signUp('a long password');
  const second = await Person.open(browser, first.username, 'Dee Again');
  const { page } = second;

  await page.getByLabel('Username').fill(first.username);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('form').getByRole('alert')).toHaveText('Wrong username or password.');
  await expectAccessible(page, 'sign-in form with an error');

  await page.getByRole('button', { name: 'Create an account' }).click();
  await expectAccessible(page, 'sign-up form');
  await page.getByLabel('Username').fill('x');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  // Said next to each field in words (issue 14), no longer the relay's "Invalid request: …" schema text.
  await expect(page.getByRole('form').getByRole('alert').filter({ hasText: 'Usernames are 3–32 letters, digits, _ . or -.' })).toBeVisible();
  await expect(page.getByRole('form').getByRole('alert').filter({ hasText: 'Password must be at least 8 characters.' })).toBeVisible();
  await expectAccessible(page, 'sign-up form with field errors');

  await page.getByRole('button', { name: 'Sign in instead' }).click();
  await page.getByLabel('Username').fill(first.username);
  await page.getByLabel('Password').fill('a long password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('me-name')).toHaveText('Dee');

  // A second tab shares the kept session; signing out in one ends it in both.
  const tab = await page.context().newPage();
  await tab.goto(page.url());
  await expect(tab.getByTestId('me-name')).toHaveText('Dee');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('toast').filter({ hasText: 'You were signed out' })).toHaveCount(0);
  await expect(tab.getByRole('heading', { name: 'Sign in' })).toBeVisible({ timeout: 20_000 });
  await expect(tab.getByTestId('toast').filter({ hasText: 'You were signed out' })).toBeVisible();
  await expectAccessible(tab, 'sign-in form with the signed-out toast');
  await tab.getByRole('button', { name: 'Create an account' }).click();
  await tab.getByLabel('Username').fill(first.username);
  await tab.getByLabel('Password').fill('another password');
  await tab.getByRole('button', { name: 'Sign up' }).click();
  await expect(tab.getByRole('form').getByRole('alert')).toHaveText('That username is taken. Pick another one.');
  await expectAccessible(tab, 'sign-up form with a form error');
});
