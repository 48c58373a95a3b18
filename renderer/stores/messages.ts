// Each chat's messages (seq order, no duplicates) plus local echoes of what the user
// sent that the relay has not stored yet. Echoes are keyed by clientMsgId and replaced
// by the stored message when it comes back (the Zulip local_id pattern).
import { defineStore } from 'pinia';
import { markRaw, shallowReactive, shallowRef, type ShallowRef } from 'vue';
import type { Message, WireError } from '../../protocol/types';
import { useBridge } from '../bridge/inject';
import type { OutgoingMessage, OutgoingUpdate } from '../bridge/types';
import { describeError } from '../app/describeError';
import { mergeMessages } from './mergeMessages';
import { useRelayRequest } from './relayRequest';
import { useNoticesStore } from './notices';
import { useChatsStore } from './chats';

export const PAGE_SIZE = 50;

export interface Echo extends OutgoingMessage {
  state: 'pending' | 'failed';
  error?: WireError;
}

export interface Thread {
  /** Replaced (never mutated) on change: a 100k-message array must not be deep-reactive. */
  messages: ShallowRef<Message[]>;
  echoes: ShallowRef<Echo[]>;
  hasMoreBefore: ShallowRef<boolean>;
  loadingOlder: ShallowRef<boolean>;
  loaded: ShallowRef<boolean>;
}

function newThread(): Thread {
  return markRaw({
    messages: shallowRef<Message[]>([]),
    echoes: shallowRef<Echo[]>([]),
    hasMoreBefore: shallowRef(false),
    loadingOlder: shallowRef(false),
    loaded: shallowRef(false),
  });
}

export const useMessagesStore = defineStore('messages', () => {
  const bridge = useBridge();
  const request = useRelayRequest(bridge);
  const notices = useNoticesStore();
  const chats = useChatsStore();
  const threads = shallowReactive(new Map<string, Thread>());
  /** What was typed and not sent, per chat: it outlives closing the chat's tab. Read on opening only, so not reactive. */
  const drafts = new Map<string, string>();

  function draft(chatId: string): string {
    return drafts.get(chatId) ?? '';
  }

  function keepDraft(chatId: string, text: string): void {
    if (text) drafts.set(chatId, text);
    else drafts.delete(chatId);
  }

  function thread(chatId: string): Thread {
    let t = threads.get(chatId);
    if (!t) {
      t = newThread();
      threads.set(chatId, t);
    }
    return t;
  }

  function merge(chatId: string, incoming: readonly Message[]): void {
    const t = thread(chatId);
    t.messages.value = mergeMessages(t.messages.value, incoming);
    // Membership entries in a history page: the unread count must leave them out.
    if (incoming.some((m) => m.kind !== 'text')) chats.noteEntries(chatId, incoming);
    // A stored message retires its echo, whichever path (ack, live event, catch-up) brought
    // it. Only text messages: an entry's clientMsgId is '' and is nobody's send.
    const ids = new Set(incoming.filter((m) => m.kind === 'text').map((m) => m.clientMsgId));
    if (t.echoes.value.some((e) => ids.has(e.clientMsgId))) {
      t.echoes.value = t.echoes.value.filter((e) => !ids.has(e.clientMsgId));
    }
  }

  /** First view of a chat: the latest page, and anything still queued from before. */
  async function ensureLoaded(chatId: string): Promise<void> {
    const t = thread(chatId);
    if (t.loaded.value) return;
    t.loaded.value = true;
    const res = await request('chat:history', { chatId, limit: PAGE_SIZE });
    if (!res.ok) {
      t.loaded.value = false;
      return;
    }
    merge(chatId, res.value.messages);
    t.hasMoreBefore.value = res.value.hasMore;
    try {
      for (const out of await bridge.pending(chatId)) addEcho(out);
    } catch (err) {
      notices.error(`Could not read queued messages: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async function loadOlder(chatId: string): Promise<void> {
    const t = thread(chatId);
    const oldest = t.messages.value[0];
    if (!t.hasMoreBefore.value || t.loadingOlder.value || !oldest) return;
    t.loadingOlder.value = true;
    try {
      const res = await request('chat:history', { chatId, before: oldest.seq, limit: PAGE_SIZE });
      if (!res.ok) return;
      merge(chatId, res.value.messages);
      t.hasMoreBefore.value = res.value.hasMore;
    } finally {
      t.loadingOlder.value = false;
    }
  }

  function addEcho(out: OutgoingMessage): void {
    const t = thread(out.chatId);
    if (t.echoes.value.some((e) => e.clientMsgId === out.clientMsgId)) return;
    if (t.messages.value.some((m) => m.clientMsgId === out.clientMsgId)) return;
    t.echoes.value = [...t.echoes.value, { ...out, state: 'pending' }];
  }

  async function send(chatId: string, body: string): Promise<void> {
    const text = body.trim();
    if (!text) return;
    try {
      addEcho(await bridge.send(chatId, text));
    } catch (err) {
      notices.error(`Could not send: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  function outgoingUpdate(update: OutgoingUpdate): void {
    if (update.kind === 'queued') return addEcho(update.outgoing);
    if (update.kind === 'sent') return merge(update.message.chatId, [update.message]);
    const t = thread(update.chatId);
    t.echoes.value = t.echoes.value.map((e) =>
      e.clientMsgId === update.clientMsgId ? { ...e, state: 'failed', error: update.error } : e,
    );
    notices.error(`A message could not be sent: ${describeError(update.error)}`);
  }

  function discardEcho(chatId: string, clientMsgId: string): void {
    const t = thread(chatId);
    t.echoes.value = t.echoes.value.filter((e) => e.clientMsgId !== clientMsgId);
  }

  function forget(chatId: string): void {
    threads.delete(chatId);
    drafts.delete(chatId);
  }

  function reset(): void {
    threads.clear();
    drafts.clear();
  }

  return { threads, thread, draft, keepDraft, merge, ensureLoaded, loadOlder, send, outgoingUpdate, discardEcho, forget, reset };
});
