// The store and component rules behind issue 14's defects, without a relay: read
// positions only move forward, typing hints are dropped offline, presence is unknown
// while disconnected, the composer never cuts text, and open tabs are remembered per user.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, defineComponent, h } from 'vue';
import { createPinia } from 'pinia';
import { flushPromises } from '@vue/test-utils';
import type { Chat } from '../../../protocol/types';
import { BODY_MAX } from '../../../protocol/schemas';
import { BridgeKey } from '../../../renderer/bridge/inject';
import { wireBridge } from '../../../renderer/app/wireBridge';
import { recallOpenChats, rememberOpenChats } from '../../../renderer/app/openChatsMemory';
import { useChatsStore } from '../../../renderer/stores/chats';
import { useSessionStore } from '../../../renderer/stores/session';
import { useTypingStore } from '../../../renderer/stores/typing';
import { useNoticesStore } from '../../../renderer/stores/notices';
import MessageComposer from '../../../renderer/components/MessageComposer.vue';
import PresenceDot from '../../../renderer/components/PresenceDot.vue';
import { createFakeBridge, type FakeBridge } from './fakeBridge';
import { mountWith } from './mountWith';

const me = { id: 'u1', username: 'ann', displayName: 'Ann' };
const bob = { id: 'u2', username: 'bob', displayName: 'Bob' };
const chat: Chat = { id: 'c1', kind: 'direct', members: [{ ...me, online: true }, { ...bob, online: true }], createdAt: '2026-01-01T00:00:00Z', lastSeq: 5, readSeq: 2 };

/** What a reconnect reloads: wireBridge asks for all three lists on every transition to online. */
function answerLists(bridge: FakeBridge): void {
  bridge.answer('friends:list', () => ({ ok: true, friends: [], incoming: [], outgoing: [] }));
  bridge.answer('invite:list', () => ({ ok: true, incoming: [], outgoing: [] }));
  bridge.answer('chat:list', () => ({ ok: true, chats: [chat] }));
}

function withStores<T>(bridge: FakeBridge, fn: () => T): T {
  const app = createApp({ render: () => null });
  app.provide(BridgeKey, bridge);
  app.use(createPinia());
  return app.runWithContext(fn);
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});
afterEach(() => vi.useRealTimers());

describe('read positions only move forward', () => {
  it('a chat:list answer older than a read does not bring the read messages back as unread', async () => {
    const bridge = createFakeBridge({ user: me });
    let answer: Chat = chat;
    bridge.answer('chat:list', () => ({ ok: true, chats: [answer] }));
    const chats = withStores(bridge, () => useChatsStore());
    await chats.load();
    chats.readMoved('c1', 5);
    // Taken before that read reached the relay, and after a new message of our own.
    answer = { ...chat, lastSeq: 6, readSeq: 2 };
    await chats.load();
    chats.readMoved('c1', 6);
    answer = { ...chat, lastSeq: 5, readSeq: 4 };
    await chats.load();
    expect(chats.byId.c1).toMatchObject({ lastSeq: 6, readSeq: 6 });
    expect(chats.unread('c1')).toBe(0);
  });

  it('a stale snapshot of a chat (the invite:accept ack after chat:joined) keeps the newer read position', () => {
    const bridge = createFakeBridge({ user: me });
    const chats = withStores(bridge, () => useChatsStore());
    chats.upsert({ ...chat, lastSeq: 9, readSeq: 2 });
    chats.readMoved('c1', 9);
    chats.upsert({ ...chat, lastSeq: 9, readSeq: 2 });
    expect(chats.unread('c1')).toBe(0);
  });
});

describe('typing hints', () => {
  it('are not sent while the relay is unreachable, and a failed one raises no toast', async () => {
    const bridge = createFakeBridge({ user: me });
    answerLists(bridge);
    bridge.answer('chat:typing', () => ({ ok: false, error: { code: 'internal', message: 'timed out waiting for the relay' } }));
    const { typing, notices } = withStores(bridge, () => {
      wireBridge(bridge, { openJoinedChats: true });
      return { typing: useTypingStore(), notices: useNoticesStore() };
    });
    bridge.setState({ status: 'reconnecting', attempt: 1, retryInMs: 1000 });
    typing.iAmTyping('c1');
    expect(bridge.requests.filter((r) => r.event === 'chat:typing')).toHaveLength(0);
    // The first keystroke once back online sends at once; its failure is no one's news.
    bridge.setState({ status: 'online' });
    typing.iAmTyping('c1');
    await flushPromises();
    expect(bridge.requests.filter((r) => r.event === 'chat:typing')).toHaveLength(1);
    expect(notices.notices).toEqual([]);
  });
});

describe('presence while disconnected', () => {
  it('is unknown, not the last word heard', async () => {
    const bridge = createFakeBridge({ user: me });
    answerLists(bridge);
    const Harness = defineComponent({
      setup() {
        wireBridge(bridge, { openJoinedChats: true });
        return () => h(PresenceDot, { online: true });
      },
    });
    const wrapper = mountWith(Harness, bridge);
    bridge.setState({ status: 'online' });
    await flushPromises();
    expect(wrapper.find('[role="img"]').attributes('aria-label')).toBe('online');
    bridge.setState({ status: 'reconnecting', attempt: 1, retryInMs: 1000 });
    await flushPromises();
    expect(wrapper.find('[role="img"]').attributes('aria-label')).toMatch(/unknown/);
    expect(wrapper.find('[role="img"]').classes()).not.toContain('online');
  });
});

describe('the composer', () => {
  it('keeps every character over the limit, refuses to send it and says by how much', async () => {
    const bridge = createFakeBridge({ user: me });
    const wrapper = mountWith(MessageComposer, bridge, { props: { placeholder: 'Message Bob', chatId: 'c1' } });
    const box = wrapper.find('textarea');
    expect(box.attributes('maxlength')).toBeUndefined();
    const text = 'x'.repeat(BODY_MAX + 12);
    await box.setValue(text);
    await box.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('send')).toBeUndefined();
    expect((box.element as HTMLTextAreaElement).value).toBe(text);
    expect(box.attributes('aria-invalid')).toBe('true');
    expect(wrapper.find('[role="alert"]').text()).toContain('12 characters over the limit');
    expect(wrapper.find('button[type="submit"]').attributes('disabled')).toBeDefined();

    await box.setValue('y'.repeat(BODY_MAX));
    await box.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('send')).toEqual([['y'.repeat(BODY_MAX)]]);
  });
});

describe('open tabs across a reload', () => {
  it('are remembered per user and reopened, those of chats still listed only', async () => {
    rememberOpenChats('u1', { open: ['c1', 'gone'], active: 'c1' });
    rememberOpenChats('u9', { open: ['c1'], active: 'c1' });
    expect(recallOpenChats('u1')).toEqual({ open: ['c1', 'gone'], active: 'c1' });

    const bridge = createFakeBridge({ user: me });
    bridge.answer('chat:list', () => ({ ok: true, chats: [chat] }));
    const chats = withStores(bridge, () => {
      void useSessionStore().restore();
      return useChatsStore();
    });
    await flushPromises();
    await chats.load();
    expect(chats.openIds).toEqual(['c1']);
    expect(chats.activeId).toBe('c1');
    chats.close('c1');
    await flushPromises();
    expect(recallOpenChats('u1')).toEqual({ open: [], active: null });
    expect(recallOpenChats('u9')).toEqual({ open: ['c1'], active: 'c1' });
  });
});
