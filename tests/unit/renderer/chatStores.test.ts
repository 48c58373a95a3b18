// Store logic that needs no relay: typing throttle and expiry, local echo lifecycle.
// (Talking to a real relay is covered by tests/e2e.)
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { BridgeKey } from '../../../renderer/bridge/inject';
import { wireBridge } from '../../../renderer/app/wireBridge';
import { useTypingStore } from '../../../renderer/stores/typing';
import { useMessagesStore } from '../../../renderer/stores/messages';
import { createFakeBridge, type FakeBridge } from './fakeBridge';

const me = { id: 'u1', username: 'ann', displayName: 'Ann' };
const bob = { id: 'u2', username: 'bob', displayName: 'Bob' };

function withStores<T>(bridge: FakeBridge, fn: () => T): T {
  const app = createApp({ render: () => null });
  app.provide(BridgeKey, bridge);
  app.use(createPinia());
  return app.runWithContext(fn);
}

afterEach(() => vi.useRealTimers());

describe('typing', () => {
  it('sends chat:typing at most every 2 s while the user types', async () => {
    vi.useFakeTimers();
    const bridge = createFakeBridge({ user: me });
    const typing = withStores(bridge, () => useTypingStore());
    for (let i = 0; i < 10; i++) {
      typing.iAmTyping('c1');
      vi.advanceTimersByTime(150);
    }
    expect(bridge.requests.filter((r) => r.event === 'chat:typing')).toHaveLength(1);
    vi.advanceTimersByTime(2000);
    typing.iAmTyping('c1');
    typing.iAmTyping('c2');
    expect(bridge.requests.filter((r) => r.event === 'chat:typing').map((r) => r.payload)).toEqual([
      { chatId: 'c1' },
      { chatId: 'c1' },
      { chatId: 'c2' },
    ]);
  });

  it('shows who is typing for 3 s after their last hint, and not after their message', () => {
    vi.useFakeTimers();
    const bridge = createFakeBridge({ user: me });
    const typing = withStores(bridge, () => {
      wireBridge(bridge, { openJoinedChats: true });
      return useTypingStore();
    });
    bridge.emit('chat:typing', { chatId: 'c1', user: bob });
    expect(typing.whoIsTyping('c1')).toEqual([bob]);
    vi.advanceTimersByTime(2900);
    expect(typing.whoIsTyping('c1')).toEqual([bob]);
    vi.advanceTimersByTime(200);
    expect(typing.whoIsTyping('c1')).toEqual([]);

    bridge.emit('chat:typing', { chatId: 'c1', user: bob });
    bridge.emit('chat:message', {
      message: { id: 'm1', chatId: 'c1', seq: 1, kind: 'text' as const, sender: bob, body: 'hi', clientMsgId: 'k', createdAt: new Date().toISOString() },
    });
    expect(typing.whoIsTyping('c1')).toEqual([]);
  });
});

describe('local echo', () => {
  it('shows a pending echo, replaces it with the stored message once, or marks it failed', async () => {
    const bridge = createFakeBridge({ user: me });
    const messages = withStores(bridge, () => {
      wireBridge(bridge, { openJoinedChats: true });
      return useMessagesStore();
    });
    await messages.send('c1', '  hello  ');
    await messages.send('c1', 'doomed');
    const t = messages.thread('c1');
    expect(t.echoes.value.map((e) => [e.body, e.state])).toEqual([
      ['hello', 'pending'],
      ['doomed', 'pending'],
    ]);
    const [first, second] = t.echoes.value;
    const stored = { id: 'm1', chatId: 'c1', seq: 1, kind: 'text' as const, sender: me, body: 'hello', clientMsgId: first!.clientMsgId, createdAt: new Date().toISOString() };
    // The live event and the ack both bring it: it must appear once.
    bridge.emit('chat:message', { message: stored });
    messages.outgoingUpdate({ kind: 'sent', clientMsgId: first!.clientMsgId, message: stored });
    expect(t.messages.value.map((m) => m.body)).toEqual(['hello']);
    expect(t.echoes.value.map((e) => e.body)).toEqual(['doomed']);

    messages.outgoingUpdate({ kind: 'failed', clientMsgId: second!.clientMsgId, chatId: 'c1', error: { code: 'not_found', message: 'gone' } });
    expect(t.echoes.value[0]!.state).toBe('failed');
    expect(t.echoes.value[0]!.error?.code).toBe('not_found');
    messages.discardEcho('c1', second!.clientMsgId);
    expect(t.echoes.value).toEqual([]);
  });
});
