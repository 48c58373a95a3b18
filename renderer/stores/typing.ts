// Who is typing where. The relay only says "X typed"; we show it for 3 s after the
// last such event, and send our own at most every 2 s while the user types.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { User } from '../../protocol/types';
import { useBridge } from '../bridge/inject';
import { useRelayRequest } from './relayRequest';
import { useConnectionStore } from './connection';

export const TYPING_SHOW_MS = 3000;
export const TYPING_SEND_EVERY_MS = 2000;

export const useTypingStore = defineStore('typing', () => {
  const request = useRelayRequest(useBridge());
  const connection = useConnectionStore();
  /** chatId -> userId -> who and until when. */
  const typing = ref<Record<string, Record<string, { user: User; until: number }>>>({});
  const lastSent = new Map<string, number>();

  function prune(chatId: string, userId: string): void {
    const forChat = typing.value[chatId];
    const entry = forChat?.[userId];
    if (!forChat || !entry || entry.until > Date.now()) return;
    const { [userId]: _gone, ...rest } = forChat;
    typing.value = { ...typing.value, [chatId]: rest };
  }

  function someoneTyped(chatId: string, user: User): void {
    const until = Date.now() + TYPING_SHOW_MS;
    typing.value = { ...typing.value, [chatId]: { ...typing.value[chatId], [user.id]: { user, until } } };
    setTimeout(() => prune(chatId, user.id), TYPING_SHOW_MS + 20);
  }

  /** Their message arrived: they are no longer typing it. */
  function stopped(chatId: string, userId: string): void {
    const forChat = typing.value[chatId];
    if (!forChat?.[userId]) return;
    const { [userId]: _gone, ...rest } = forChat;
    typing.value = { ...typing.value, [chatId]: rest };
  }

  function whoIsTyping(chatId: string): User[] {
    return Object.values(typing.value[chatId] ?? {}).map((e) => e.user);
  }

  /**
   * A typing hint is worth something only now: while the relay is unreachable it is
   * dropped (not queued, not retried, and not sent once the 2 s are up, so the first
   * keystroke after the reconnect sends one), and a hint that fails is no news to anyone.
   */
  function iAmTyping(chatId: string): void {
    const status = connection.state.status;
    if (status === 'reconnecting' || status === 'connecting') return;
    const now = Date.now();
    if (now - (lastSent.get(chatId) ?? 0) < TYPING_SEND_EVERY_MS) return;
    lastSent.set(chatId, now);
    void request('chat:typing', { chatId }, { quiet: true });
  }

  function reset(): void {
    typing.value = {};
    lastSent.clear();
  }

  return { typing, someoneTyped, stopped, whoIsTyping, iAmTyping, reset };
});
