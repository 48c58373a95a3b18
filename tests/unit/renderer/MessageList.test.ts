import { describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import type { Message } from '../../../protocol/types';
import MessageList from '../../../renderer/components/MessageList.vue';
import type { Echo } from '../../../renderer/stores/messages';
import { useFakeLayout } from './fakeLayout';

const ann = { id: 'u1', username: 'ann', displayName: 'Ann' };
const bob = { id: 'u2', username: 'bob', displayName: 'Bob' };
const messages = (n: number): Message[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `m${i + 1}`,
    chatId: 'c1',
    seq: i + 1,
    kind: 'text' as const,
    sender: i % 3 === 0 ? bob : ann,
    body: `message number ${i + 1}`,
    clientMsgId: `k${i + 1}`,
    createdAt: new Date(1_700_000_000_000 + i * 600_000).toISOString(),
  }));

const props = (msgs: Message[], echoes: Echo[] = []) => ({
  messages: msgs,
  echoes,
  me: ann,
  hasMoreBefore: false,
  loadingOlder: false,
  active: true,
});

useFakeLayout();

describe('MessageList', () => {
  it('keeps the DOM small for a chat with 100,000 messages', async () => {
    const all = messages(100_000);
    const started = performance.now();
    const wrapper = mount(MessageList, { props: props(all), attachTo: document.body });
    await flushPromises();
    const rows = wrapper.findAll('[data-testid="message"]');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(60);
    expect(wrapper.element.querySelectorAll('*').length).toBeLessThan(1000);
    // Generous bound for a loaded 2-core box (happy-dom and test-utils' reactive props
    // dominate); rendering 100k rows as components takes minutes there.
    expect(performance.now() - started).toBeLessThan(8000);
    wrapper.unmount();
  });

  it('shows sender and body in seq order, then pending and failed echoes', async () => {
    const echoes: Echo[] = [
      { chatId: 'c1', clientMsgId: 'e1', body: 'on its way', createdAt: new Date().toISOString(), state: 'pending' },
      { chatId: 'c1', clientMsgId: 'e2', body: 'refused', createdAt: new Date().toISOString(), state: 'failed', error: { code: 'not_found', message: 'chat not found' } },
    ];
    const wrapper = mount(MessageList, { props: props(messages(3), echoes), attachTo: document.body });
    await flushPromises();
    expect(wrapper.findAll('[data-testid="message-body"]').map((b) => b.text())).toEqual([
      'message number 1',
      'message number 2',
      'message number 3',
      'on its way',
      'refused',
    ]);
    expect(wrapper.findAll('[data-testid="message-sender"]')[0]!.text()).toBe('Bob');
    expect(wrapper.find('[data-state="pending"]').text()).toContain('Sending…');
    const failed = wrapper.find('[data-state="failed"]');
    expect(failed.text()).toContain('Not sent');
    await failed.find('button').trigger('click');
    expect(wrapper.emitted('discard')).toEqual([['e2']]);
  });
});
