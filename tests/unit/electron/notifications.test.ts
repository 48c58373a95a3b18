import { describe, expect, it } from 'vitest';
import type { Ack, Chat, Invite, Message, User } from '../../../protocol/types';
import type { NotificationAction } from '../../../renderer/bridge/types';
import {
  Notifier,
  inviteClickOutcome,
  inviteNotification,
  messageNotification,
  notificationBody,
  type NotificationPort,
} from '../../../electron/notifications';
import type { FocusedView } from '../../../electron/windows';

const alice: User = { id: 'ua', username: 'alice', displayName: 'Alice' };
const bob: User = { id: 'ub', username: 'bob', displayName: 'Bob' };
const carol: User = { id: 'uc', username: 'carol', displayName: 'Carol' };

function invite(over: Partial<Invite> = {}): Invite {
  return {
    id: 'i1',
    from: alice,
    to: bob,
    chatId: null,
    kind: 'direct',
    members: [alice],
    status: 'pending',
    createdAt: '2025-01-01T00:00:00Z',
    expiresAt: '2025-01-01T00:05:00Z',
    ...over,
  };
}

function msg(over: Partial<Message> = {}): Message {
  return { id: 'm1', chatId: 'c1', seq: 1, kind: 'text', sender: alice, body: 'hello', clientMsgId: 'k', createdAt: '', ...over };
}

const chat: Chat = { id: 'c1', kind: 'direct', members: [], createdAt: '', lastSeq: 0, readSeq: 0 };

describe('inviteNotification', () => {
  it('says who invites, and clicking accepts that invite', () => {
    const spec = inviteNotification(invite());
    expect(spec.title).toBe('Alice invites you to chat');
    expect(spec.click).toEqual({ kind: 'accept-invite', inviteId: 'i1' });
  });

  it('names the other members of a group', () => {
    const spec = inviteNotification(invite({ kind: 'group', chatId: 'g', members: [alice, carol] }));
    expect(spec.title).toBe('Alice invites you to chat');
    expect(spec.body).toContain('Alice, Carol');
  });
});

describe('messageNotification', () => {
  it('notifies when the app is not focused', () => {
    expect(messageNotification(msg(), bob.id, null)).toMatchObject({
      title: 'Alice',
      body: 'hello',
      click: { kind: 'open-chat', chatId: 'c1' },
    });
  });

  it('stays quiet when that chat’s window is focused', () => {
    expect(messageNotification(msg(), bob.id, { kind: 'chat', chatId: 'c1' })).toBeNull();
  });

  it('stays quiet when the focused main window shows that chat', () => {
    expect(messageNotification(msg(), bob.id, { kind: 'main', chatId: 'c1' })).toBeNull();
  });

  it('notifies when another chat or the chat list has focus', () => {
    expect(messageNotification(msg(), bob.id, { kind: 'chat', chatId: 'c2' })).not.toBeNull();
    expect(messageNotification(msg(), bob.id, { kind: 'main', chatId: null })).not.toBeNull();
    expect(messageNotification(msg(), bob.id, { kind: 'main', chatId: 'c2' })).not.toBeNull();
  });

  it('never notifies the user of their own message from another device', () => {
    expect(messageNotification(msg(), alice.id, null)).toBeNull();
  });

  it('keeps the body short and on one line', () => {
    const spec = messageNotification(msg({ body: `line one\n\nline two ${'x'.repeat(500)}` }), bob.id, null)!;
    expect(spec.body.startsWith('line one line two')).toBe(true);
    expect(spec.body.length).toBeLessThanOrEqual(200);
  });
});

describe('inviteClickOutcome', () => {
  it('opens the chat the relay answers with', () => {
    expect(inviteClickOutcome({ ok: true, chat })).toEqual({ kind: 'open-chat', chatId: 'c1' });
  });
  it('opens the existing chat on duplicate_members', () => {
    expect(inviteClickOutcome({ ok: false, error: { code: 'duplicate_members', message: '', chatId: 'c7' } })).toEqual({
      kind: 'open-chat',
      chatId: 'c7',
    });
  });
  it('explains a closed invite instead of opening anything', () => {
    const out = inviteClickOutcome({ ok: false, error: { code: 'invite_closed', message: '' } });
    expect(out.kind).toBe('notice');
  });
});

class RecordingPort implements NotificationPort {
  supported = true;
  readonly shown: Array<{ title: string; body: string; click: () => void; closed: boolean }> = [];
  isSupported() {
    return this.supported;
  }
  show(spec: { title: string; body: string }, onClick: () => void) {
    const entry = { ...spec, click: onClick, closed: false };
    this.shown.push(entry);
    return { close: () => void (entry.closed = true) };
  }
}

function notifier(
  opts: { accept?: (id: string) => Promise<Ack<{ chat: Chat }>>; focused?: FocusedView; muted?: () => boolean; platform?: NodeJS.Platform } = {},
) {
  const port = new RecordingPort();
  const opened: string[] = [];
  const told: NotificationAction[] = [];
  const accepted: string[] = [];
  const n = new Notifier({
    port,
    acceptInvite: async (id) => {
      accepted.push(id);
      return opts.accept ? opts.accept(id) : { ok: true, chat };
    },
    openChat: (id) => opened.push(id),
    tellRenderer: (a) => told.push(a),
    selfUserId: () => bob.id,
    focusedView: () => opts.focused ?? null,
    muted: opts.muted ?? (() => false),
    platform: opts.platform ?? 'darwin',
  });
  return { n, port, opened, told, accepted };
}

describe('Notifier', () => {
  it('invite:received shows one notification; clicking accepts and opens exactly that chat', async () => {
    const { n, port, opened, told, accepted } = notifier();
    n.handleServerEvent('invite:received', { invite: invite() });
    expect(port.shown.map((s) => s.title)).toEqual(['Alice invites you to chat']);
    port.shown[0]!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(accepted).toEqual(['i1']);
    expect(opened).toEqual(['c1']);
    expect(told).toEqual([{ kind: 'invite-accepted', chatId: 'c1' }]);
  });

  it('a refused accept opens nothing and says why', async () => {
    const { n, port, opened } = notifier({ accept: async () => ({ ok: false, error: { code: 'invite_closed', message: 'closed' } }) });
    n.handleServerEvent('invite:received', { invite: invite() });
    port.shown[0]!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(opened).toEqual([]);
    expect(port.shown.at(-1)!.title).toBe('Invite not accepted');
  });

  it('invite:closed takes the invite’s notification away', () => {
    const { n, port } = notifier();
    n.handleServerEvent('invite:received', { invite: invite() });
    n.handleServerEvent('invite:closed', { inviteId: 'i1', status: 'cancelled' });
    expect(port.shown[0]!.closed).toBe(true);
  });

  it('a message notification click focuses that chat’s window', () => {
    const { n, port, opened } = notifier();
    n.handleServerEvent('chat:message', { message: msg() });
    port.shown[0]!.click();
    expect(opened).toEqual(['c1']);
  });

  it('a newer message of the same chat replaces the older notification', () => {
    const { n, port } = notifier();
    n.handleServerEvent('chat:message', { message: msg() });
    n.handleServerEvent('chat:message', { message: msg({ id: 'm2', seq: 2, body: 'again' }) });
    expect(port.shown.map((s) => [s.body, s.closed])).toEqual([
      ['hello', true],
      ['again', false],
    ]);
  });

  it('no message notification while that chat is in view', () => {
    const { n, port } = notifier({ focused: { kind: 'chat', chatId: 'c1' } });
    n.handleServerEvent('chat:message', { message: msg() });
    expect(port.shown).toEqual([]);
  });

  it('shows nothing where the OS has no notifications', () => {
    const { n, port } = notifier();
    port.supported = false;
    n.handleServerEvent('invite:received', { invite: invite() });
    expect(port.shown).toEqual([]);
  });

  it('clear() closes everything (sign-out)', () => {
    const { n, port } = notifier();
    n.handleServerEvent('invite:received', { invite: invite() });
    n.handleServerEvent('chat:message', { message: msg() });
    n.clear();
    expect(port.shown.every((s) => s.closed)).toBe(true);
  });
});

describe('notification text from other users', () => {
  it('is escaped on Linux, whose notification servers render bodies as markup, and left as typed elsewhere', () => {
    const typed = '<b>hi</b> & <a href="x">link</a> 1 > 0';
    expect(notificationBody(typed, 'linux')).toBe('&lt;b&gt;hi&lt;/b&gt; &amp; &lt;a href="x"&gt;link&lt;/a&gt; 1 &gt; 0');
    expect(notificationBody('&amp;', 'linux')).toBe('&amp;amp;');
    expect(notificationBody(typed, 'darwin')).toBe(typed);
    expect(notificationBody(typed, 'win32')).toBe(typed);
  });

  it('reaches the port escaped, in invites (names) and messages (bodies)', () => {
    const { n, port } = notifier({ platform: 'linux' });
    n.handleServerEvent('invite:received', {
      invite: invite({ kind: 'group', chatId: 'g1', members: [alice, { id: 'u-x', username: 'x', displayName: '<i>Eve</i>' }] }),
    });
    n.handleServerEvent('chat:message', { message: msg({ body: 'a < b' }) });
    expect(port.shown.map((s) => s.body)).toEqual(['Group chat with Alice, &lt;i&gt;Eve&lt;/i&gt;. Click to join.', 'a &lt; b']);
  });

  it('Do not disturb shows no invite or message, but the app’s own notices still show', () => {
    const { n, port } = notifier({ muted: () => true });
    n.handleServerEvent('invite:received', { invite: invite() });
    n.handleServerEvent('chat:message', { message: msg() });
    n.notice('hint', 'Relay Chat keeps running in the tray', 'body');
    expect(port.shown.map((s) => s.title)).toEqual(['Relay Chat keeps running in the tray']);
  });
});
