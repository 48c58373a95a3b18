// Rendering of the sidebar from relay events, through a Bridge test double.
import { describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import { defineComponent, h } from 'vue';
import type { Chat, Invite, Member } from '../../../protocol/types';
import AppSidebar from '../../../renderer/components/AppSidebar.vue';
import ToastStack from '../../../renderer/components/ToastStack.vue';
import { wireBridge } from '../../../renderer/app/wireBridge';
import { useUnreadBadge } from '../../../renderer/app/useUnreadBadge';
import { useSessionStore } from '../../../renderer/stores/session';
import { createFakeBridge } from './fakeBridge';
import { mountWith } from './mountWith';

const me = { id: 'u1', username: 'ann', displayName: 'Ann' };
const bob: Member = { id: 'u2', username: 'bob', displayName: 'Bob', online: true };
const cyd: Member = { id: 'u3', username: 'cyd', displayName: 'Cyd', online: false };
const chat: Chat = { id: 'c1', kind: 'direct', members: [{ ...me, online: true }, bob], createdAt: '2026-01-01T00:00:00Z', lastSeq: 5, readSeq: 2 };

// The app root wires the bridge once; this harness does the same around the sidebar.
const Harness = defineComponent({
  setup() {
    const session = useSessionStore();
    void session.restore();
    useUnreadBadge();
    return () => h('div', [h(AppSidebar), h(ToastStack)]);
  },
});

function setup() {
  const bridge = createFakeBridge({ user: me });
  bridge.answer('friends:list', () => ({ ok: true, friends: [bob, cyd], incoming: [], outgoing: [] }));
  bridge.answer('invite:list', () => ({ ok: true, incoming: [], outgoing: [] }));
  bridge.answer('chat:list', () => ({ ok: true, chats: [chat] }));
  let off = () => {};
  const wrapper = mountWith(
    defineComponent({
      setup() {
        off = wireBridge(bridge, { openJoinedChats: true });
        return () => h(Harness);
      },
    }),
    bridge,
  );
  return { bridge, wrapper, off: () => off() };
}

describe('sidebar', () => {
  it('lists friends with presence; offline friends cannot be invited and say why', async () => {
    const { bridge, wrapper } = setup();
    bridge.setState({ status: 'online' });
    await flushPromises();
    const cydRow = wrapper.find('[data-username="cyd"]');
    const chatBtn = cydRow.find('button.chat');
    expect(chatBtn.attributes('disabled')).toBeDefined();
    expect(chatBtn.attributes('title')).toContain('offline');
    expect(cydRow.find('[data-online]').attributes('data-online')).toBe('false');

    bridge.emit('presence', { user: cyd, online: true });
    await flushPromises();
    expect(wrapper.find('[data-username="cyd"] [data-online]').attributes('data-online')).toBe('true');
    expect(wrapper.find('[data-username="cyd"] button.chat').attributes('disabled')).toBeUndefined();
  });

  it('shows unread counts and keeps the badge in step with messages and reads', async () => {
    const { bridge, wrapper } = setup();
    bridge.setState({ status: 'online' });
    await flushPromises();
    expect(wrapper.find('[data-testid="unread"]').text()).toBe('3');
    expect(bridge.badge).toBe(3);
    bridge.emit('chat:message', {
      message: { id: 'm6', chatId: 'c1', seq: 6, kind: 'text' as const, sender: bob, body: 'hi', clientMsgId: 'x', createdAt: new Date().toISOString() },
    });
    await flushPromises();
    expect(wrapper.find('[data-testid="unread"]').text()).toBe('4');
    expect(bridge.badge).toBe(4);
    bridge.emit('chat:read', { chatId: 'c1', seq: 6 });
    await flushPromises();
    expect(wrapper.find('[data-testid="unread"]').exists()).toBe(false);
    expect(bridge.badge).toBe(0);
  });

  it('toasts an incoming invite with Accept, and drops it when it closes', async () => {
    const { bridge, wrapper } = setup();
    bridge.setState({ status: 'online' });
    await flushPromises();
    const invite: Invite = {
      id: 'i1', from: bob, to: me, chatId: null, kind: 'direct', members: [bob], status: 'pending',
      createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 300_000).toISOString(),
    };
    bridge.emit('invite:received', { invite });
    await flushPromises();
    expect(wrapper.find('[data-testid="toast"]').text()).toContain('Bob invited you');
    expect(wrapper.find('[data-invite-id="i1"]').exists()).toBe(true);
    bridge.emit('invite:closed', { inviteId: 'i1', status: 'expired' });
    await flushPromises();
    expect(wrapper.find('[data-invite-id="i1"]').exists()).toBe(false);
  });

  it('shows a relay refusal as a toast, with a way to open the existing chat', async () => {
    const { bridge, wrapper } = setup();
    bridge.answer('invite:create', () => ({ ok: false, error: { code: 'duplicate_members', message: 'exists', chatId: 'c1' } }));
    bridge.setState({ status: 'online' });
    await flushPromises();
    // Bob's row opens the active direct chat; Cyd (now online) gets an invite attempt.
    expect(wrapper.find('[data-username="bob"] button.chat').text()).toBe('Open');
    bridge.emit('presence', { user: cyd, online: true });
    await flushPromises();
    await wrapper.find('[data-username="cyd"] button.chat').trigger('click');
    await flushPromises();
    const toast = wrapper.find('[data-testid="toast"]');
    expect(toast.text()).toContain('already exists');
    const open = toast.findAll('button').find((b) => b.text() === 'Open that chat');
    expect(open).toBeDefined();
    await open!.trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-chat-id="c1"]').classes()).toContain('active');
  });
});
