// The app around the windows, against a real relay: the tray and its menu, staying in
// the tray when the last window closes, notifications (and their clicks) with no window
// open, Do not disturb, and what reopens on the next start. Electron's Tray is the one
// thing stood in for (a recording TrayPort); the rest is the real main-process core.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as auth from '../../../client/auth';
import { RelayConnection } from '../../../client/connection';
import { MemoryQueueStorage } from '../../../client/queue-storage';
import { AppStateFile } from '../../../electron/app-state';
import { DesktopShell, TRAY_HINT, type TrayPort } from '../../../electron/desktop-shell';
import { XdgAutostart } from '../../../electron/login-item';
import type { Chat } from '../../../protocol/types';
import type { Bridge, ConnectionState } from '../../../renderer/bridge/types';
import { startRelay, type RelayProcess } from '../../helpers/relay-process';
import { createDesktop, loadPreload, until, type Desktop, type HarnessWindow } from './desktop-harness';

let relay: RelayProcess;
const cleanups: Array<() => void> = [];
let n = 0;
const unique = (name: string) => `${name}_${process.pid}_${++n}`;
const PASSWORD = 'password123';

beforeAll(async () => {
  relay = await startRelay();
});

afterAll(async () => {
  for (const c of cleanups.reverse()) c();
  await relay?.stop();
  relay?.cleanup();
});

type TrayView = Parameters<TrayPort['show']>[0];

interface App {
  d: Desktop;
  shell: DesktopShell;
  tray: () => TrayView;
  quits: number;
  autostartDir: string;
}

/** One desktop app: the harness's core plus the shell, with its tray recorded. */
function app(userData?: string): App {
  let shell: DesktopShell | null = null;
  const d = createDesktop(relay.url, loadPreload, { userData, doNotDisturb: () => shell?.doNotDisturb() ?? false, platform: 'linux' });
  const autostartDir = mkdtempSync(join(tmpdir(), 'autostart-'));
  const views: TrayView[] = [];
  const a: App = {
    d,
    shell: null as unknown as DesktopShell,
    tray: () => views.at(-1)!,
    quits: 0,
    autostartDir,
  };
  shell = new DesktopShell({
    core: d.core,
    state: new AppStateFile(d.userData, (m) => d.logs.push(m)),
    loginItem: new XdgAutostart(autostartDir, ['/opt/Relay Chat/relay-chat'], (m) => d.logs.push(m)),
    tray: { show: (v) => views.push(v) },
    platform: 'linux',
    quit: () => a.quits++,
  });
  a.shell = shell;
  cleanups.push(() => {
    d.dispose();
    rmSync(autostartDir, { recursive: true, force: true });
  });
  return a;
}

function labels(view: TrayView): string[] {
  return view.menu.flatMap((i) => (i.kind === 'separator' ? [] : [i.label]));
}

function checked(view: TrayView, label: string): boolean {
  const item = view.menu.find((i) => i.kind === 'checkbox' && i.label === label);
  if (!item || item.kind !== 'checkbox') throw new Error(`no checkbox ${label}`);
  return item.checked;
}

async function signUp(a: App, displayName: string): Promise<{ bridge: Bridge; username: string }> {
  await a.shell.start({ hidden: false });
  const win = a.d.core.windows.main() as HarnessWindow;
  const bridge = await win.bridge();
  const username = unique(displayName.toLowerCase());
  const states: ConnectionState[] = [];
  bridge.onState((s) => states.push(s));
  expect((await bridge.register(username, PASSWORD, displayName)).ok).toBe(true);
  await until('online', () => states.some((s) => s.status === 'online'));
  return { bridge, username };
}

/** Another user, outside the app: a plain client/ connection, befriended with `friendOf`. */
async function otherUser(displayName: string, friendOf: { bridge: Bridge; username: string }) {
  const username = unique(displayName.toLowerCase());
  const res = await auth.register(relay.url, username, PASSWORD, displayName);
  if (!res.ok) throw new Error(res.error.message);
  const link = new RelayConnection({ url: relay.url, storage: new MemoryQueueStorage() });
  cleanups.push(() => link.stop());
  const joined: Chat[] = [];
  link.on('chat:joined', ({ chat }) => joined.push(chat));
  link.start(res.token);
  await until('other user online', () => link.state().status === 'online');
  expect((await link.request('friends:request', { username: friendOf.username })).ok).toBe(true);
  expect((await friendOf.bridge.request('friends:accept', { username })).ok).toBe(true);
  return { link, username, joined };
}

describe('the desktop shell against a real relay', () => {
  it('keeps running in the tray with no window: invites and messages notify, and their clicks open exactly that chat', async () => {
    const a = app();
    const me = await signUp(a, 'Tessa');
    const cat = await otherUser('Cat', me);
    await until('tray shows who is signed in', () => labels(a.tray()).includes('Signed in as Tessa'));
    expect(a.tray().tooltip).toBe('Relay Chat');

    // The user closes the only window: the app stays, connected, and says so once.
    (a.d.core.windows.main() as HarnessWindow).close();
    expect(a.d.core.windows.all()).toEqual([]);
    expect(a.shell.allWindowsClosed()).toBe(false);
    expect(a.d.notifications.filter((x) => x.title === TRAY_HINT.title)).toHaveLength(1);
    a.d.core.windows.showMain().close();
    expect(a.shell.allWindowsClosed()).toBe(false);
    expect(a.d.notifications.filter((x) => x.title === TRAY_HINT.title)).toHaveLength(1);
    expect(a.quits).toBe(0);
    expect(a.d.core.session.state().status).toBe('online');
    const windowsBefore = a.d.created.length;

    // An invite arrives with no window open; its click accepts and opens that chat only.
    const invite = await cat.link.request('invite:create', { to: me.username });
    expect(invite.ok).toBe(true);
    const note = await until('invite notification', () => a.d.notifications.find((x) => x.title === 'Cat invites you to chat'));
    note.click();
    const chatWin = await until('chat window', () => a.d.created.slice(windowsBefore).find((w) => w.target.kind === 'chat'));
    if (chatWin.target.kind !== 'chat') throw new Error('unreachable');
    const chatId = chatWin.target.chatId;
    await until('Cat sees the chat', () => cat.joined.some((c) => c.id === chatId));
    expect(a.d.created.slice(windowsBefore).map((w) => w.target)).toEqual([{ kind: 'chat', chatId }]);

    // The chat window closes too; a message still notifies and counts as unread.
    chatWin.close();
    expect(a.d.core.windows.all()).toEqual([]);
    expect((await cat.link.send(chatId, 'are you there? <b>&</b>')).chatId).toBe(chatId);
    const msgNote = await until('message notification', () => a.d.notifications.find((x) => x.title === 'Cat'));
    // Linux renders notification bodies as markup: what Cat typed shows as typed.
    expect(msgNote.body).toBe('are you there? &lt;b&gt;&amp;&lt;/b&gt;');
    await until('tray counts it', () => a.tray().unread === 1);
    expect(a.tray().tooltip).toBe('Relay Chat — 1 unread message');
    expect(labels(a.tray())).toContain('1 unread message');
    expect(a.d.badges.at(-1)).toBe(1);

    // Its click opens exactly that chat's window again, and nothing else.
    const count = a.d.created.length;
    msgNote.click();
    expect(a.d.created.slice(count).map((w) => w.target)).toEqual([{ kind: 'chat', chatId }]);

    // Read in that window: the tray and badge go back to zero.
    const reopened = a.d.chatWindows(chatId)[0]!;
    const chatBridge = await reopened.bridge();
    const history = await chatBridge.request('chat:history', { chatId });
    if (!history.ok) throw new Error(history.error.message);
    const last = history.messages.at(-1)!;
    expect((await chatBridge.request('chat:read', { chatId, seq: last.seq })).ok).toBe(true);
    expect(a.tray().unread).toBe(0);
    expect(a.d.badges.at(-1)).toBe(0);
  });

  it('Do not disturb silences invites and messages, says so in the tray, and still counts unread', async () => {
    const a = app();
    const me = await signUp(a, 'Quinn');
    const cat = await otherUser('Cat', me);
    await a.shell.command('do-not-disturb');
    expect(checked(a.tray(), 'Do not disturb')).toBe(true);
    expect(labels(a.tray())).toContain('Notifications are silenced');
    expect(a.tray().tooltip).toBe('Relay Chat — Do not disturb');
    expect(JSON.parse(readFileSync(join(a.d.userData, 'app-state.json'), 'utf8'))).toMatchObject({ doNotDisturb: true });

    const invite = await cat.link.request('invite:create', { to: me.username });
    if (!invite.ok) throw new Error(invite.error.message);
    const accepted = await me.bridge.request('invite:accept', { inviteId: invite.invite.id });
    if (!accepted.ok) throw new Error(accepted.error.message);
    const chatId = accepted.chat.id;
    await cat.link.send(chatId, 'quiet please');
    await until('counted while silenced', () => a.tray().unread === 1);
    // The relay has delivered both; the app showed neither.
    expect(a.d.notifications).toEqual([]);

    await a.shell.command('do-not-disturb');
    expect(checked(a.tray(), 'Do not disturb')).toBe(false);
    expect(labels(a.tray())).not.toContain('Notifications are silenced');
    await cat.link.send(chatId, 'and now?');
    await until('notifies again', () => a.d.notifications.find((x) => x.body === 'and now?'));
  });

  it('Start at login writes and removes an XDG autostart entry that starts the app hidden', async () => {
    const a = app();
    await a.shell.start({ hidden: true });
    expect(a.d.created).toEqual([]);
    expect(checked(a.tray(), 'Start at login')).toBe(false);
    await a.shell.command('start-at-login');
    expect(checked(a.tray(), 'Start at login')).toBe(true);
    const entry = readFileSync(join(a.autostartDir, 'relay-chat.desktop'), 'utf8');
    expect(entry).toContain('Exec="/opt/Relay Chat/relay-chat" --hidden\n');
    await a.shell.command('start-at-login');
    expect(checked(a.tray(), 'Start at login')).toBe(false);
    expect(() => readFileSync(join(a.autostartDir, 'relay-chat.desktop'))).toThrow();
  });

  it('Sign out in the tray signs out everywhere and shows the sign-in window; Quit quits', async () => {
    const a = app();
    const me = await signUp(a, 'Uma');
    const cat = await otherUser('Cat', me);
    const invite = await cat.link.request('invite:create', { to: me.username });
    if (!invite.ok) throw new Error(invite.error.message);
    const accepted = await me.bridge.request('invite:accept', { inviteId: invite.invite.id });
    if (!accepted.ok) throw new Error(accepted.error.message);
    const chatWin = a.d.core.windows.openChat(accepted.chat.id);
    (a.d.core.windows.main() as HarnessWindow).close();

    await a.shell.command('sign-out');
    expect(a.d.core.session.user()).toBeNull();
    expect(chatWin.isDestroyed()).toBe(true);
    expect(a.d.core.windows.main()).not.toBeNull();
    expect(labels(a.tray())).toContain('Not signed in');
    const signOut = a.tray().menu.find((i) => i.kind === 'action' && i.id === 'sign-out');
    expect(signOut).toMatchObject({ enabled: false });
    // Nothing of Uma's is reopened for whoever signs in next.
    expect(JSON.parse(readFileSync(join(a.d.userData, 'app-state.json'), 'utf8')).openChats).toBeUndefined();

    await a.shell.command('quit');
    expect(a.quits).toBe(1);
    expect(a.shell.allWindowsClosed()).toBe(true);
  });

  it('reopens the chat windows that were open, for the same user, after a restart', async () => {
    const first = app();
    const me = await signUp(first, 'Vera');
    const cat = await otherUser('Cat', me);
    const invite = await cat.link.request('invite:create', { to: me.username });
    if (!invite.ok) throw new Error(invite.error.message);
    const accepted = await me.bridge.request('invite:accept', { inviteId: invite.invite.id });
    if (!accepted.ok) throw new Error(accepted.error.message);
    const chatId = accepted.chat.id;
    first.d.core.windows.openChat(chatId);
    first.d.core.windows.openChat('a-chat-vera-is-not-in');
    // Quitting closes every window: that is not the user closing them.
    first.shell.beforeQuit();
    for (const w of first.d.core.windows.all()) w.close();
    first.d.core.session.shutdown();
    const saved = JSON.parse(readFileSync(join(first.d.userData, 'app-state.json'), 'utf8'));
    expect(saved.openChats.chatIds).toEqual([chatId, 'a-chat-vera-is-not-in']);

    const second = app(first.d.userData);
    await second.shell.start({ hidden: false });
    expect(second.d.created.map((w) => w.target)).toEqual([
      { kind: 'main' },
      { kind: 'chat', chatId },
      { kind: 'chat', chatId: 'a-chat-vera-is-not-in' },
    ]);
    // Once the relay's chat list is in, a window of a chat Vera is not in closes.
    await until('unlisted chat window closed', () => second.d.chatWindows('a-chat-vera-is-not-in').length === 0);
    expect(second.d.chatWindows(chatId)).toHaveLength(1);
  });

  it('a corrupt app-state.json is ignored, never a crash, and is replaced by a good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'desktop-userdata-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const junks: Array<[string, string | null]> = [
      ['{"mainWindow": {"bounds": ', 'ignoring app-state.json: not JSON'],
      ['[1,2,3]', 'ignoring app-state.json: not an object'],
      ['null', 'ignoring app-state.json: not an object'],
      // Valid JSON with every field wrong: each bad field is dropped on its own.
      ['{"openChats": {"userId": 5, "chatIds": "x"}, "doNotDisturb": "yes", "mainWindow": {"bounds": {"x": 1e308}}}', null],
    ];
    for (const [junk, logged] of junks) {
      writeFileSync(join(dir, 'app-state.json'), junk);
      const a = app(dir);
      if (logged) expect(a.d.logs).toContain(logged);
      await a.shell.start({ hidden: false });
      expect(a.d.created.map((w) => w.target)).toEqual([{ kind: 'main' }]);
      expect(a.shell.doNotDisturb()).toBe(false);
      a.d.core.session.shutdown();
    }
    const a = app(dir);
    await a.shell.command('do-not-disturb');
    expect(JSON.parse(readFileSync(join(dir, 'app-state.json'), 'utf8'))).toEqual({ doNotDisturb: true });
  });
});
