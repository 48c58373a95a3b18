// The desktop app's main process, preload and renderer bridge against a real relay,
// without Electron (see desktop-harness.ts for what is stood in for and why).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, ServerPayloads } from '../../../protocol/types';
import type { Bridge, ConnectionState, OutgoingUpdate } from '../../../renderer/bridge/types';
import { startRelay, type RelayProcess } from '../../helpers/relay-process';
import { createDesktop, loadPreload, until, type Desktop, type HarnessWindow } from './desktop-harness';

function record<T>(subscribe: (cb: (v: T) => void) => () => void): T[] {
  const seen: T[] = [];
  subscribe((v) => seen.push(v));
  return seen;
}

let relay: RelayProcess;
const desktops: Desktop[] = [];
let n = 0;
const unique = (name: string) => `${name}_${process.pid}_${++n}`;

function desktop(userData?: string): Desktop {
  const d = createDesktop(relay.url, loadPreload, { userData });
  desktops.push(d);
  return d;
}

async function signedIn(name: string, displayName: string): Promise<{ d: Desktop; bridge: Bridge; username: string }> {
  const d = desktop();
  const { bridge } = await d.mainWindow();
  const states = record<ConnectionState>((cb) => bridge.onState(cb));
  const username = unique(name);
  const res = await bridge.register(username, 'password123', displayName);
  expect(res.ok).toBe(true);
  await until('online', () => states.some((s) => s.status === 'online'));
  return { d, bridge, username };
}

beforeAll(async () => {
  relay = await startRelay();
});

afterAll(async () => {
  for (const d of desktops) d.dispose();
  await relay?.stop();
  relay?.cleanup();
});

describe('desktop app without Electron, against a real relay', () => {
  it('signs in once for every window and keeps the token for the next start', async () => {
    const { d, bridge, username } = await signedIn('keeper', 'Keeper');
    const user = await bridge.restoreSession();
    expect(user?.username).toBe(username);
    expect(existsSync(join(d.userData, 'session.json'))).toBe(true);
    expect(d.logs.some((l) => l.includes('unencrypted'))).toBe(true);

    // A second window learns the state without waiting for a change. (Opened after the
    // first catch-up: a window of a chat the relay does not list is closed by it.)
    await until('first catch-up', () => d.syncs() > 0);
    const chatWin = d.core.windows.openChat('whatever') as HarnessWindow;
    const chatBridge = await chatWin.bridge();
    const states = record<ConnectionState>((cb) => chatBridge.onState(cb));
    await until('state in a new window', () => states.some((s) => s.status === 'online'));

    // The app restarts: a new main process with the same userData is signed in at once.
    d.core.session.shutdown();
    const again = desktop(d.userData);
    const { bridge: b2 } = await again.mainWindow();
    const againStates = record<ConnectionState>((cb) => b2.onState(cb));
    expect((await b2.restoreSession())?.username).toBe(username);
    await until('online after restart', () => againStates.some((s) => s.status === 'online'));
    const list = await b2.request('chat:list', {});
    expect(list.ok).toBe(true);
  });

  it('refuses wrong passwords with the relay’s error code', async () => {
    const { username } = await signedIn('wrongpw', 'Wrong');
    const d = desktop();
    const { bridge } = await d.mainWindow();
    const res = await bridge.login(username, 'not-the-password');
    expect(res).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await bridge.restoreSession()).toBeNull();
  });

  it('an invite notification’s click accepts it and opens exactly that chat’s window; one window per chat', async () => {
    const alice = await signedIn('alice', 'Alice');
    const bob = await signedIn('bob', 'Bob');

    expect((await alice.bridge.request('friends:request', { username: bob.username })).ok).toBe(true);
    expect((await bob.bridge.request('friends:accept', { username: alice.username })).ok).toBe(true);

    const created = await alice.bridge.request('invite:create', { to: bob.username });
    expect(created.ok).toBe(true);
    const note = await until('invite notification', () => bob.d.notifications.find((x) => x.title === 'Alice invites you to chat'));
    expect(bob.d.chatWindows.length).toBe(1);
    expect(bob.d.created.filter((w) => w.target.kind === 'chat')).toHaveLength(0);

    const bobMainEvents = record<ServerPayloads['chat:joined']>((cb) => bob.bridge.on('chat:joined', cb));
    note.click();
    const chatWin = await until('chat window', () => bob.d.created.find((w) => w.target.kind === 'chat'));
    if (chatWin.target.kind !== 'chat') throw new Error('unreachable');
    const chatId = chatWin.target.chatId;
    expect(chatWin.renderer.url).toBe(`app://renderer/index.html#chat=${encodeURIComponent(chatId)}`);

    // It is the chat the relay made, the same one both users are in.
    const bobChats = await bob.bridge.request('chat:list', {});
    if (!bobChats.ok) throw new Error(bobChats.error.message);
    expect(bobChats.chats.map((c) => c.id)).toEqual([chatId]);
    await until('chat:joined in the main window', () => bobMainEvents.some((e) => e.chat.id === chatId));

    // Opening it again, from the renderer or another notification, focuses the same window.
    bob.bridge.openChat(chatId);
    await until('focused', () => chatWin.focused);
    expect(bob.d.chatWindows(chatId)).toEqual([chatWin]);
    expect(bob.d.created.filter((w) => w.target.kind === 'chat')).toHaveLength(1);

    // Messages reach the chat's own window; the notification appears while it is not focused.
    const chatBridge = await chatWin.bridge();
    const inChatWindow = record<ServerPayloads['chat:message']>((cb) => chatBridge.on('chat:message', cb));
    const aliceOutgoing = record<OutgoingUpdate>((cb) => alice.bridge.onOutgoing(cb));
    chatWin.focused = false;
    await alice.bridge.send(chatId, 'hello bob');
    await until('message in chat window', () => inChatWindow.some((e) => e.message.body === 'hello bob'));
    await until('sent ack for alice', () => aliceOutgoing.some((u) => u.kind === 'sent' && u.message.body === 'hello bob'));
    const msgNote = await until('message notification', () => bob.d.notifications.find((x) => x.title === 'Alice' && x.body === 'hello bob'));

    // While the chat's window is focused, no notification.
    chatWin.focused = true;
    const before = bob.d.notifications.length;
    await alice.bridge.send(chatId, 'second');
    await until('second message', () => inChatWindow.some((e) => e.message.body === 'second'));
    expect(bob.d.notifications.length).toBe(before);

    // Clicking the message notification focuses that chat's window, opening no other.
    chatWin.focused = false;
    msgNote.click();
    expect(chatWin.focused).toBe(true);
    expect(bob.d.created.filter((w) => w.target.kind === 'chat')).toHaveLength(1);

    // Bob's history as seen from the chat window: both messages, in order.
    const hist = await chatBridge.request('chat:history', { chatId });
    if (!hist.ok) throw new Error(hist.error.message);
    expect(hist.messages.map((m: Message) => m.body)).toEqual(['hello bob', 'second']);

    // Leaving closes the chat's window.
    expect((await chatBridge.request('chat:leave', { chatId })).ok).toBe(true);
    await until('chat window closed', () => chatWin.destroyed);
    expect(bob.d.chatWindows(chatId)).toEqual([]);
  });

  it('refuses a page that is not our renderer, even inside our window', async () => {
    const { d, bridge } = await signedIn('mallory', 'Mallory');
    const win = d.core.windows.main() as HarnessWindow;
    win.renderer.url = 'https://evil.example/';
    await expect(bridge.request('chat:list', {})).rejects.toThrow('forbidden sender');
    await expect(bridge.restoreSession()).rejects.toThrow('forbidden sender');
    expect(d.logs.some((l) => l.includes('refused'))).toBe(true);
  });

  it('signing out forgets the token, closes chat windows and tells every window', async () => {
    const { d, bridge } = await signedIn('leaver', 'Leaver');
    const chatWin = d.core.windows.openChat('some-chat');
    const states = record<ConnectionState>((cb) => bridge.onState(cb));
    await bridge.logout();
    expect(chatWin.isDestroyed()).toBe(true);
    expect(states.at(-1)).toEqual({ status: 'signed-out' });
    expect(existsSync(join(d.userData, 'session.json'))).toBe(false);
    expect(await bridge.restoreSession()).toBeNull();
    expect(d.badges.at(-1)).toBe(0);
    const res = await bridge.request('chat:list', {});
    expect(res).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });
});
