// Membership entries ("Cyd joined", "Cyd left") in the renderer: they take a seq in the
// timeline but are never unread, never read the chat, and a former member is never
// shown as present. Driven through wireBridge and a Bridge test double.
import { describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createApp, defineComponent, h } from 'vue';
import { createPinia } from 'pinia';
import type { Chat, Invite, Member, Message, User } from '../../../protocol/types';
import { BridgeKey } from '../../../renderer/bridge/inject';
import { wireBridge } from '../../../renderer/app/wireBridge';
import { useChatsStore } from '../../../renderer/stores/chats';
import { useMessagesStore } from '../../../renderer/stores/messages';
import { useSessionStore } from '../../../renderer/stores/session';
import { useTypingStore } from '../../../renderer/stores/typing';
import MessageList from '../../../renderer/components/MessageList.vue';
import ChatPanel from '../../../renderer/components/ChatPanel.vue';
import InviteList from '../../../renderer/components/InviteList.vue';
import { createFakeBridge, type FakeBridge } from './fakeBridge';
import { mountWith } from './mountWith';
import { formatTime } from '../../../renderer/app/formatTime';
import { useFakeLayout } from './fakeLayout';

const ann: User = { id: 'u1', username: 'ann', displayName: 'Ann' };
const bob: User = { id: 'u2', username: 'bob', displayName: 'Bob' };
const cyd: User = { id: 'u3', username: 'cyd', displayName: 'Cyd' };
const online = (u: User): Member => ({ ...u, online: true });
const T0 = Date.parse('2026-03-03T10:00:00Z');

function text(seq: number, sender: User = bob, clientMsgId = `k${seq}`): Message {
  return { id: `m${seq}`, chatId: 'c1', seq, kind: 'text', sender, body: `message ${seq}`, clientMsgId, createdAt: new Date(T0 + seq * 1000).toISOString() };
}
function entry(seq: number, kind: 'joined' | 'left', who: User = cyd): Message {
  return { id: `e${seq}`, chatId: 'c1', seq, kind, sender: who, body: '', clientMsgId: '', createdAt: new Date(T0 + seq * 1000).toISOString() };
}
function group(lastSeq: number, readSeq: number, members: User[] = [ann, bob, cyd]): Chat {
  return { id: 'c1', kind: 'group', members: members.map(online), createdAt: new Date(T0).toISOString(), lastSeq, readSeq };
}

/** Stores wired to a fake bridge, signed in as Ann, with `chat` listed by the relay. */
async function stores(chat: Chat, history: Message[] = []) {
  const bridge: FakeBridge = createFakeBridge({ user: ann });
  bridge.answer('chat:list', () => ({ ok: true, chats: [chat] }));
  bridge.answer('friends:list', () => ({ ok: true, friends: [], incoming: [], outgoing: [] }));
  bridge.answer('invite:list', () => ({ ok: true, incoming: [], outgoing: [] }));
  bridge.answer('chat:history', () => ({ ok: true, messages: history, hasMore: false }));
  const app = createApp({ render: () => null });
  app.provide(BridgeKey, bridge);
  app.use(createPinia());
  const s = app.runWithContext(() => {
    wireBridge(bridge, { openJoinedChats: true });
    return { chats: useChatsStore(), messages: useMessagesStore(), session: useSessionStore(), typing: useTypingStore() };
  });
  await s.session.restore();
  bridge.setState({ status: 'online' });
  await flushPromises();
  return { bridge, ...s };
}

const reads = (bridge: FakeBridge) => bridge.requests.filter((r) => r.event === 'chat:read');

describe('membership entries in the stores', () => {
  it('an entry after everything read moves the read position with it: no unread, no read request', async () => {
    const { bridge, chats, messages, typing } = await stores(group(5, 5));
    bridge.emit('chat:typing', { chatId: 'c1', user: cyd });
    expect(typing.whoIsTyping('c1')).toEqual([cyd]);

    bridge.emit('chat:member', { chatId: 'c1', user: cyd, change: 'left', message: entry(6, 'left') });
    const c = chats.byId.c1!;
    expect([c.lastSeq, c.readSeq]).toEqual([6, 6]);
    expect(chats.unread('c1')).toBe(0);
    expect(chats.totalUnread).toBe(0);
    expect(reads(bridge)).toEqual([]);
    expect(messages.thread('c1').messages.value.map((m) => [m.seq, m.kind])).toEqual([[6, 'left']]);
    // Cyd is gone from the members, the title and the typing line.
    expect(c.members.map((m) => m.id)).toEqual([ann.id, bob.id]);
    expect(chats.title(c)).toBe('Bob');
    expect(typing.whoIsTyping('c1')).toEqual([]);
    // A late presence event of Cyd's gives nobody a dot here.
    bridge.emit('presence', { user: cyd, online: false });
    expect(chats.byId.c1!.members.some((m) => m.id === cyd.id)).toBe(false);
  });

  it('a typing hint from someone no longer a member is not shown', async () => {
    const { bridge, typing } = await stores(group(5, 5));
    bridge.emit('chat:member', { chatId: 'c1', user: cyd, change: 'left', message: entry(6, 'left') });
    bridge.emit('chat:typing', { chatId: 'c1', user: cyd });
    bridge.emit('chat:typing', { chatId: 'c1', user: bob });
    expect(typing.whoIsTyping('c1')).toEqual([bob]);
  });

  it('who left while we were away is dropped from the title, and a chat left by all others says whose it was', async () => {
    let listed: Chat = { ...group(5, 5, [ann, bob]), kind: 'direct' };
    const { bridge, chats } = await stores(listed);
    bridge.answer('chat:list', () => ({ ok: true, chats: [listed] }));
    expect(chats.title(chats.byId.c1!)).toBe('Bob');
    listed = { ...listed, members: [online(ann)], lastSeq: 6 };
    bridge.setState({ status: 'reconnecting', attempt: 1, retryInMs: 10 });
    bridge.setState({ status: 'online' });
    await flushPromises();
    expect(chats.title(chats.byId.c1!)).toBe('Bob (left)');
  });

  it('with older unread messages the position stays, and the entry is left out of the count', async () => {
    const { bridge, chats } = await stores(group(5, 3));
    expect(chats.unread('c1')).toBe(2);
    bridge.emit('chat:member', { chatId: 'c1', user: cyd, change: 'left', message: entry(6, 'left') });
    expect([chats.byId.c1!.lastSeq, chats.byId.c1!.readSeq]).toEqual([6, 3]);
    expect(chats.unread('c1')).toBe(2);
    bridge.emit('chat:message', { message: text(7) });
    expect(chats.unread('c1')).toBe(3);
    // Cyd comes back while Ann was away: the catch-up brings the entry with the messages.
    bridge.emitCatchUp('c1', [entry(8, 'joined'), text(9)]);
    expect(chats.unread('c1')).toBe(4);
    chats.readMoved('c1', 6); // read on another device up to the first entry: 7 and 9 are left
    expect(chats.unread('c1')).toBe(2);
    await chats.markRead('c1');
    expect(chats.unread('c1')).toBe(0);
  });

  it('entries in a history page are not counted once known', async () => {
    // Read up to 3; 4 is a message, 5 an entry, 6 a message: two unread, not three.
    const { chats, messages } = await stores(group(6, 3), [text(3), text(4), entry(5, 'joined'), text(6)]);
    expect(chats.unread('c1')).toBe(3);
    await messages.ensureLoaded('c1');
    expect(chats.unread('c1')).toBe(2);
  });

  it('an entry is not activity: it neither reorders the list nor reads the chat, even my own', async () => {
    const { bridge, chats } = await stores(group(4, 2));
    const before = chats.list.map((c) => c.id);
    bridge.emitCatchUp('c1', [entry(5, 'joined', ann)]);
    expect(reads(bridge)).toEqual([]);
    expect(chats.unread('c1')).toBe(2);
    expect(chats.list.map((c) => c.id)).toEqual(before);
  });

  it('an entry never retires a local echo', async () => {
    const { bridge, messages } = await stores(group(2, 2));
    bridge.answer('chat:send', () => ({ ok: true, message: text(3) }));
    messages.outgoingUpdate({ kind: 'queued', outgoing: { chatId: 'c1', clientMsgId: '', body: 'odd', createdAt: new Date().toISOString() } });
    bridge.emit('chat:member', { chatId: 'c1', user: cyd, change: 'left', message: entry(3, 'left') });
    expect(messages.thread('c1').echoes.value).toHaveLength(1);
  });
});

useFakeLayout();

describe('MessageList with entries', () => {
  it('renders entries as their own quiet rows in seq order, and an entry ends a sender run', async () => {
    const rtl: User = { id: 'u4', username: 'dana', displayName: 'דנה' };
    // Bob, Bob | Cyd left | Bob | Dana joined | Dana left (two entries of one member: distinct rows)
    const list = [text(1), text(2), entry(3, 'left'), text(4), entry(5, 'joined', rtl), entry(6, 'left', rtl)];
    const wrapper = mount(MessageList, {
      props: { messages: list, echoes: [], me: ann, hasMoreBefore: false, loadingOlder: false, active: true },
      attachTo: document.body,
    });
    await flushPromises();
    const rows = wrapper.findAll('[data-testid="message"]');
    expect(rows).toHaveLength(6);
    const entries = wrapper.findAll('[data-testid="membership-entry"]');
    expect(entries.map((e) => e.text())).toEqual(['Cyd left', 'דנה joined', 'דנה left']);
    expect(entries.map((e) => e.attributes('data-change'))).toEqual(['left', 'joined', 'left']);
    const first = entries[0]!;
    expect(first.attributes('role')).toBe('article');
    expect(first.attributes('aria-label')).toBe(`Cyd left, ${formatTime(list[2]!.createdAt)}`);
    expect(first.find('time').attributes('title')).toContain('2026');
    expect(entries[1]!.find('bdi').attributes('dir')).toBe('auto');
    // Entries are not messages: no sender line, no body of their own.
    expect(wrapper.findAll('[data-testid="message-body"]').map((b) => b.text())).toEqual(['message 1', 'message 2', 'message 4']);
    // Bob's message after "Cyd left" starts a new run with his name, though Bob wrote the one before too.
    expect(wrapper.findAll('[data-testid="message-sender"]').map((s) => s.text())).toEqual(['Bob', 'Bob']);
    wrapper.unmount();
  });
});

describe('leaving a group as its last member', () => {
  async function panel(members: User[]) {
    const bridge = createFakeBridge({ user: ann });
    const chat = group(2, 2, members);
    bridge.answer('chat:list', () => ({ ok: true, chats: [chat] }));
    bridge.answer('friends:list', () => ({ ok: true, friends: [], incoming: [], outgoing: [] }));
    bridge.answer('invite:list', () => ({ ok: true, incoming: [], outgoing: [] }));
    bridge.answer('chat:history', () => ({ ok: true, messages: [], hasMore: false }));
    const wrapper = mountWith(
      defineComponent({
        setup() {
          wireBridge(bridge, { openJoinedChats: false });
          void useSessionStore().restore();
          return () => h(ChatPanel, { chatId: 'c1' });
        },
      }),
      bridge,
      { attachTo: document.body },
    );
    bridge.setState({ status: 'online' });
    await flushPromises();
    return { bridge, wrapper };
  }

  it('warns that the chat and its history are deleted for everyone, then leaves on the second click', async () => {
    const { bridge, wrapper } = await panel([ann]);
    const button = wrapper.get('[data-testid="leave-chat"]');
    expect(button.text()).toBe('Leave');
    expect(wrapper.get('[data-testid="leave-warning"]').text()).toBe('');
    await button.trigger('click');
    expect(button.text()).toBe('Delete chat and leave?');
    const warning = wrapper.get('[data-testid="leave-warning"]');
    expect(warning.text()).toContain('deletes this chat and its whole history for everyone');
    expect(warning.attributes('role')).toBe('status');
    expect(button.attributes('aria-describedby')).toBe(warning.attributes('id'));
    expect(bridge.requests.some((r) => r.event === 'chat:leave')).toBe(false);
    await button.trigger('click');
    await flushPromises();
    expect(bridge.requests.filter((r) => r.event === 'chat:leave')).toHaveLength(1);
    wrapper.unmount();
  });

  it('says only "click again" while others remain, and re-asks if they leave before the second click', async () => {
    const { bridge, wrapper } = await panel([ann, bob]);
    const button = wrapper.get('[data-testid="leave-chat"]');
    await button.trigger('click');
    expect(button.text()).toBe('Click again to leave');
    expect(wrapper.get('[data-testid="leave-warning"]').text()).toBe('');
    bridge.emit('chat:member', { chatId: 'c1', user: bob, change: 'left', message: entry(3, 'left', bob) });
    await flushPromises();
    expect(button.text()).toBe('Delete chat and leave?');
    // The first click agreed to leave, not to delete: this click only arms the warning.
    await button.trigger('click');
    await flushPromises();
    expect(bridge.requests.some((r) => r.event === 'chat:leave')).toBe(false);
    expect(wrapper.get('[data-testid="leave-warning"]').text()).toContain('for everyone');
    await button.trigger('click');
    await flushPromises();
    expect(bridge.requests.filter((r) => r.event === 'chat:leave')).toHaveLength(1);
    wrapper.unmount();
  });
});

describe('my pending invite into a group', () => {
  it('names the members who are there now, not those who have left since it was made', async () => {
    const dan: User = { id: 'u4', username: 'dan', displayName: 'Dan' };
    const invite: Invite = {
      id: 'i1', from: ann, to: dan, chatId: 'c1', kind: 'group', members: [ann, bob, cyd], status: 'pending',
      createdAt: new Date(T0).toISOString(), expiresAt: new Date(T0 + 3_600_000).toISOString(),
    };
    const bridge = createFakeBridge({ user: ann });
    bridge.answer('chat:list', () => ({ ok: true, chats: [group(2, 2)] }));
    bridge.answer('friends:list', () => ({ ok: true, friends: [], incoming: [], outgoing: [] }));
    bridge.answer('invite:list', () => ({ ok: true, incoming: [], outgoing: [invite] }));
    const wrapper = mountWith(
      defineComponent({
        setup() {
          wireBridge(bridge, { openJoinedChats: false });
          void useSessionStore().restore();
          return () => h(InviteList);
        },
      }),
      bridge,
    );
    bridge.setState({ status: 'online' });
    await flushPromises();
    const row = () => wrapper.get('[data-testid="outgoing-invites"] li').text();
    expect(row()).toContain('group with Ann, Bob, Cyd');
    bridge.emit('chat:member', { chatId: 'c1', user: cyd, change: 'left', message: entry(3, 'left') });
    await flushPromises();
    expect(row()).toContain('group with Ann, Bob)');
    wrapper.unmount();
  });
});
