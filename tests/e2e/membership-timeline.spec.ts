// Membership in the timeline, in Chromium against the real relay: "Cyd left" and
// "Cyd joined" appear between the messages where they happened, live and after a
// reload (history); they never make an unread badge; a former member's name leaves
// the chat's title and member list; and the last member of a group is told, before
// leaving, that the chat and its history are deleted for everyone.
import { expect, test, type Locator } from '@playwright/test';
import { ok, waitFor } from '../helpers/clients';
import { relayUrl } from './app-driver';
import { expectAccessible } from './axe';
import { befriend, inviteAndAccept, say, seedTrio, signIn } from './seed';

/** The timeline of a chat panel as text, one line per row: "Name: body" or the entry's line. */
async function timeline(panel: Locator): Promise<string[]> {
  return panel.getByTestId('message').evaluateAll((items) =>
    items
      .map((item) => ({ index: Number((item as HTMLElement).dataset.index), item }))
      .sort((a, b) => a.index - b.index)
      .map(({ item }) => {
        const entry = item.querySelector('[data-testid="membership-entry"]');
        if (entry) return `— ${entry.textContent?.replace(/\s+/g, ' ').trim()} —`;
        const body = item.querySelector('[data-testid="message-body"]')?.textContent ?? '';
        return body.trim();
      }),
  );
}

test('joined and left in the timeline: live, in history, never unread; the last member is warned', async ({ browser }) => {
  const url = relayUrl();
  const { ann, bob, cyd, direct, group } = await seedTrio(url);
  // Bob can invite Cyd back himself.
  await befriend(bob, cyd);
  await say(ann, group.id, 'before Cyd goes');

  const annP = await signIn(browser, url, ann);
  const bobP = await signIn(browser, url, bob);
  const groupTitleForBob = 'Ann Archer, Cyd Cole';

  // Ann has the group in front. Bob reads it, then turns to his direct chat with Ann,
  // so the group is read but not on his screen when Cyd leaves.
  await annP.chatRow('Bob Baker, Cyd Cole').click();
  await expect(annP.bodies().filter({ hasText: 'before Cyd goes' })).toBeVisible();
  await bobP.chatRow(groupTitleForBob).click();
  await expect(bobP.bodies().filter({ hasText: 'before Cyd goes' })).toBeVisible();
  await expect(bobP.chatRow(groupTitleForBob).getByTestId('unread')).toHaveCount(0);
  await bobP.chatRow('Ann Archer').click();
  await expect(bobP.panel().getByTestId('chat-title')).toContainText('Ann Archer');

  // Cyd leaves (over the wire): both see it live, where it happened.
  await ok(cyd.socket, 'chat:leave', { chatId: group.id });
  const annPanel = annP.panel();
  await expect(annPanel.getByTestId('membership-entry')).toHaveText('Cyd Cole left');
  await expect(annPanel.getByTestId('membership-entry')).toHaveAttribute('aria-label', /^Cyd Cole left, /);
  // Cyd's name is gone from the title and the members everywhere.
  await expect(annPanel.getByTestId('chat-title')).toHaveText(/^#\s*Bob Baker$/);
  await expect(annPanel.getByTestId('member-list').locator('li')).toHaveCount(2);
  await expect(annPanel.getByTestId('member-list')).not.toContainText('Cyd Cole');
  await expect(annP.chatRow('Bob Baker')).toHaveCount(2); // the direct chat and the group, both "Bob Baker" now
  // Bob had read everything: the entry makes no badge, neither on the row nor in the title.
  const bobGroupRow = bobP.page.getByTestId('chat-list').locator(`[data-chat-id="${group.id}"]`);
  await expect(bobGroupRow).toContainText('Ann Archer');
  await expect(bobGroupRow).not.toContainText('Cyd Cole');
  await bobP.page.waitForTimeout(500);
  await expect(bobGroupRow.getByTestId('unread')).toHaveCount(0);
  await expect(bobGroupRow).not.toHaveClass(/unread/);
  await expect(bobP.page).toHaveTitle('RelayChat');

  await say(ann, group.id, 'after Cyd went');
  await expect(annP.bodies().filter({ hasText: 'after Cyd went' })).toBeVisible();
  expect(await timeline(annPanel)).toEqual(['before Cyd goes', '— Cyd Cole left —', 'after Cyd went']);
  // Bob's one unread is Ann's message, not the entry.
  await expect(bobGroupRow.getByTestId('unread')).toHaveText('1');
  await bobGroupRow.click();
  await expect(bobP.panel().getByTestId('membership-entry')).toHaveText('Cyd Cole left');
  expect(await timeline(bobP.panel())).toEqual(['before Cyd goes', '— Cyd Cole left —', 'after Cyd went']);
  await expect(bobGroupRow.getByTestId('unread')).toHaveCount(0);

  // After a reload the entry comes from history, in the same place.
  await annP.page.reload();
  await expect(annP.page.getByTestId('me-name')).toHaveText('Ann Archer');
  const groupRow = annP.page.getByTestId('chat-list').locator(`[data-chat-id="${group.id}"]`);
  await groupRow.click();
  await expect(annP.bodies().filter({ hasText: 'after Cyd went' })).toBeVisible();
  expect(await timeline(annP.panel())).toEqual(['before Cyd goes', '— Cyd Cole left —', 'after Cyd went']);
  await expect(groupRow.getByTestId('unread')).toHaveCount(0);

  // Bob invites Cyd back from the members pane; Cyd accepts.
  const received = waitFor(cyd.socket, 'invite:received');
  const bobPanel = bobP.panel();
  await bobPanel.getByLabel('Friend to invite').selectOption(cyd.user.username);
  await bobPanel.getByRole('button', { name: 'Invite', exact: true }).click();
  const { invite } = await received;
  await ok(cyd.socket, 'invite:accept', { inviteId: invite.id });
  await expect(annP.panel().getByTestId('membership-entry')).toHaveText(['Cyd Cole left', 'Cyd Cole joined']);
  await expect(bobPanel.getByTestId('membership-entry')).toHaveText(['Cyd Cole left', 'Cyd Cole joined']);
  await expect(annP.panel().getByTestId('chat-title')).toHaveText(/^#\s*Bob Baker, Cyd Cole$/);
  await say(cyd, group.id, 'back again');
  await expect(annP.bodies().filter({ hasText: 'back again' })).toBeVisible();
  expect(await timeline(annP.panel())).toEqual([
    'before Cyd goes',
    '— Cyd Cole left —',
    'after Cyd went',
    '— Cyd Cole joined —',
    'back again',
  ]);
  await expectAccessible(annP.page, 'group chat with joined and left entries');
  await annP.page.screenshot({ path: '/tmp/membership.png' });

  // Bob and Cyd leave; Ann, the last member, is told what leaving now means.
  await ok(cyd.socket, 'chat:leave', { chatId: group.id });
  await ok(bob.socket, 'chat:leave', { chatId: group.id });
  const annGroup = annP.page.locator(`[data-testid="chat-panel"][data-chat-id="${group.id}"]`);
  await expect(annGroup.getByTestId('membership-entry')).toHaveText(['Cyd Cole left', 'Cyd Cole joined', 'Cyd Cole left', 'Bob Baker left']);
  // Her own title names nobody present; who left is marked as such.
  await expect(annGroup.getByTestId('chat-title')).toHaveText(/^#\s*Cyd Cole, Bob Baker \(left\)$/);
  const leave = annGroup.getByTestId('leave-chat');
  await leave.click();
  await expect(leave).toHaveText('Delete chat and leave?');
  const warning = annGroup.getByTestId('leave-warning');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('deletes this chat and its whole history for everyone');
  await expect(leave).toHaveAccessibleDescription(/deletes this chat and its whole history for everyone/);
  await expectAccessible(annP.page, 'last member about to leave a group');
  await annP.page.screenshot({ path: '/tmp/membership-last-member.png' });
  await leave.click();
  await expect(annP.page.getByTestId('chat-list').locator(`[data-chat-id="${group.id}"]`)).toHaveCount(0);
  // The direct chat is untouched, and Ann's other chats still have a plain "Leave".
  await expect(annP.page.getByTestId('chat-list').locator(`[data-chat-id="${direct.id}"]`)).toHaveCount(1);

  expect(annP.errors).toEqual([]);
  expect(bobP.errors).toEqual([]);
  for (const u of [ann, bob, cyd]) u.socket.close();
  await annP.page.context().close();
  await bobP.page.context().close();
});

test('a direct chat is only put aside: leaving it says nothing about deleting', async ({ browser }) => {
  const url = relayUrl();
  const { ann, bob, direct } = await seedTrio(url);
  await ok(bob.socket, 'chat:leave', { chatId: direct.id });
  const annP = await signIn(browser, url, ann);
  await annP.page.getByTestId('chat-list').locator(`[data-chat-id="${direct.id}"]`).click();
  const panel = annP.page.locator(`[data-testid="chat-panel"][data-chat-id="${direct.id}"]`);
  await expect(panel.getByTestId('membership-entry')).toHaveText('Bob Baker left');
  const leave = panel.getByTestId('leave-chat');
  await leave.click();
  await expect(leave).toHaveText('Click again to leave');
  await expect(panel.getByTestId('leave-warning')).toHaveText('');
  expect(annP.errors).toEqual([]);
  for (const u of [ann, bob]) u.socket.close();
  await annP.page.context().close();
});
