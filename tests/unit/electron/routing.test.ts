import { describe, expect, it } from 'vitest';
import type { Chat, Message, User } from '../../../protocol/types';
import { chatOfOutgoing, chatOfServerEvent, windowsFor } from '../../../electron/routing';
import { WindowRegistry } from '../../../electron/windows';
import { FakeWindowFactory } from './fake-window';

const alice: User = { id: 'u1', username: 'alice', displayName: 'Alice' };
const message: Message = { id: 'm1', chatId: 'c1', seq: 1, kind: 'text', sender: alice, body: 'hi', clientMsgId: 'x', createdAt: '' };
const chat: Chat = { id: 'c2', kind: 'direct', members: [], createdAt: '', lastSeq: 0, readSeq: 0 };

describe('chatOfServerEvent', () => {
  it('finds the chat of every chat event', () => {
    expect(chatOfServerEvent('chat:message', { message })).toBe('c1');
    expect(chatOfServerEvent('chat:joined', { chat })).toBe('c2');
    expect(chatOfServerEvent('chat:member', { chatId: 'c3', user: alice, change: 'joined', message: { ...message, chatId: 'c3', kind: 'joined', body: '', clientMsgId: '' } })).toBe('c3');
    expect(chatOfServerEvent('chat:left', { chatId: 'c4' })).toBe('c4');
    expect(chatOfServerEvent('chat:typing', { chatId: 'c5', user: alice })).toBe('c5');
    expect(chatOfServerEvent('chat:read', { chatId: 'c6', seq: 3 })).toBe('c6');
  });

  it('treats presence, friends and invites as the user’s, not one chat’s', () => {
    expect(chatOfServerEvent('presence', { user: alice, online: true })).toBeNull();
    expect(chatOfServerEvent('friend:removed', { userId: 'u1' })).toBeNull();
    expect(chatOfServerEvent('invite:closed', { inviteId: 'i', status: 'accepted', chatId: 'c1' })).toBeNull();
  });

  it('finds the chat of every outgoing update', () => {
    expect(chatOfOutgoing({ kind: 'queued', outgoing: { chatId: 'a', clientMsgId: 'x', body: 'b', createdAt: '' } })).toBe('a');
    expect(chatOfOutgoing({ kind: 'sent', clientMsgId: 'x', message })).toBe('c1');
    expect(chatOfOutgoing({ kind: 'failed', clientMsgId: 'x', chatId: 'z', error: { code: 'not_found', message: '' } })).toBe('z');
  });
});

describe('windowsFor', () => {
  it('sends a chat’s events to its window and the main window only; the rest to all', () => {
    const windows = new WindowRegistry(new FakeWindowFactory());
    const main = windows.showMain();
    const c1 = windows.openChat('c1');
    const c2 = windows.openChat('c2');
    expect(windowsFor('c1', windows)).toEqual([main, c1]);
    expect(windowsFor('c3', windows)).toEqual([main]);
    expect(windowsFor(null, windows)).toEqual([main, c1, c2]);
    main.close();
    expect(windowsFor('c2', windows)).toEqual([c2]);
  });
});
