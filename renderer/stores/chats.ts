// The chats you are a member of, their unread counts, and (on the web) which chats are
// open as tabs. Unread = lastSeq - readSeq, kept in step by chat:message and chat:read,
// less the membership entries ("Cat joined") known to lie in between: an entry takes a
// seq of its own but is never unread.
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { Chat, Member, Message, User } from '../../protocol/types';
import { useBridge } from '../bridge/inject';
import { recallOpenChats, rememberOpenChats } from '../app/openChatsMemory';
import { useRelayRequest } from './relayRequest';
import { useSessionStore } from './session';

export const useChatsStore = defineStore('chats', () => {
  const bridge = useBridge();
  const request = useRelayRequest(bridge);
  const session = useSessionStore();

  const byId = ref<Record<string, Chat>>({});
  /** Last activity per chat (ISO), for ordering the list. */
  const activity = ref<Record<string, string>>({});
  /** Web only: chats open as tabs, and the one in front. */
  const openIds = ref<string[]>([]);
  const activeId = ref<string | null>(null);
  /** Counts open() calls, even of the chat already in front: a narrow layout puts its sidebar away on each. */
  const opened = ref(0);
  /**
   * The chat the user last asked to see (a click, a notification, an accepted invite):
   * its composer takes the focus. Chats opened by a relay event (someone accepted our
   * invite) do not, or they would pull the cursor out of whatever is being typed.
   */
  const focusRequest = ref<{ chatId: string; n: number } | null>(null);
  /** Who left each chat while we watched, so a direct chat still says whose it is. */
  const departed = ref<Record<string, User[]>>({});
  /**
   * Seqs of membership entries seen per chat that may lie above its read position.
   * lastSeq counts them, unread() must not; the relay moves a reader who was right
   * before an entry past it, but one with older unread messages keeps their position.
   * Entries we never saw (appended while this app was closed, in a chat not opened
   * since) cannot be told from messages until its history is loaded.
   */
  const entrySeqs = ref<Record<string, number[]>>({});
  /** The list has been read from the relay at least once. */
  const loaded = ref(false);
  /** The remembered tabs were reopened (web): from then on, changes to them are remembered. */
  let tabsRecalled = false;

  /**
   * A chat as the relay now describes it, merged with what we already know. The relay's
   * snapshot (a chat:list answer, an invite:accept ack, chat:joined) can have been taken
   * before a read or a message we have already seen, and seqs only grow: a position
   * never moves back, or the chat on screen would show its read messages as unread.
   */
  function merged(known: Chat | undefined, fresh: Chat): Chat {
    if (!known) return fresh;
    return { ...fresh, lastSeq: Math.max(known.lastSeq, fresh.lastSeq), readSeq: Math.max(known.readSeq, fresh.readSeq) };
  }

  const list = computed(() =>
    Object.values(byId.value).sort((a, b) => (activity.value[b.id] ?? b.createdAt).localeCompare(activity.value[a.id] ?? a.createdAt)),
  );
  const openChats = computed(() => openIds.value.map((id) => byId.value[id]).filter((c): c is Chat => Boolean(c)));

  function unread(chatId: string): number {
    const c = byId.value[chatId];
    if (!c) return 0;
    const entries = (entrySeqs.value[chatId] ?? []).filter((seq) => seq > c.readSeq && seq <= c.lastSeq).length;
    return Math.max(0, c.lastSeq - c.readSeq - entries);
  }
  const totalUnread = computed(() => Object.keys(byId.value).reduce((sum, id) => sum + unread(id), 0));

  /** "Alice, Bob": everyone but me, current members only (who left is in `departed`). */
  function title(chat: Chat): string {
    const me = session.user?.id;
    const others = chat.members.filter((m) => m.id !== me);
    if (others.length > 0) return others.map((m) => m.displayName).join(', ');
    const gone = (departed.value[chat.id] ?? []).filter((u) => u.id !== me);
    if (gone.length > 0) return `${gone.map((u) => u.displayName).join(', ')} (left)`;
    return 'Only you';
  }

  async function load(): Promise<void> {
    const res = await request('chat:list', {});
    if (!res.ok) return;
    const next: Record<string, Chat> = {};
    for (const c of res.value.chats) next[c.id] = merged(byId.value[c.id], c);
    noteDepartures(next);
    byId.value = next;
    loaded.value = true;
    if (!tabsRecalled) recallTabs();
    // Tabs of chats we are no longer in (left on another device while away) close.
    openIds.value = openIds.value.filter((id) => id in next);
    if (activeId.value && !(activeId.value in next)) activeId.value = openIds.value[0] ?? null;
  }

  /**
   * Members who are gone from a fresh list (they left while we were away, and the
   * chat:member was missed) are departed too, so a chat everyone else has left still
   * says whose it was ("Bob (left)") rather than "Only you".
   */
  function noteDepartures(next: Record<string, Chat>): void {
    const me = session.user?.id;
    let changed = false;
    const out = { ...departed.value };
    for (const fresh of Object.values(next)) {
      const known = byId.value[fresh.id];
      if (!known) continue;
      const present = new Set(fresh.members.map((m) => m.id));
      const gone = known.members.filter((m) => !present.has(m.id) && m.id !== me);
      const kept = (out[fresh.id] ?? []).filter((u) => !present.has(u.id) && !gone.some((g) => g.id === u.id));
      if (gone.length === 0 && kept.length === (out[fresh.id] ?? []).length) continue;
      out[fresh.id] = [...kept, ...gone.map(({ online: _online, ...user }) => user)];
      changed = true;
    }
    if (changed) departed.value = out;
  }

  /** Web: reopen the tabs this user had open before the reload, behind any opened since. */
  function recallTabs(): void {
    const me = session.user?.id;
    if (!me) return;
    tabsRecalled = true;
    if (bridge.platform !== 'web') return;
    const kept = recallOpenChats(me);
    if (!kept) return;
    const reopened = kept.open.filter((id) => id in byId.value && !openIds.value.includes(id));
    openIds.value = [...reopened, ...openIds.value];
    if (!activeId.value && kept.active && openIds.value.includes(kept.active)) activeId.value = kept.active;
    else if (!activeId.value) activeId.value = openIds.value[0] ?? null;
  }

  watch([openIds, activeId], ([open, active]) => {
    const me = session.user?.id;
    // Before the recall, the empty startup state would overwrite what is to be recalled.
    if (!tabsRecalled || !me || bridge.platform !== 'web') return;
    rememberOpenChats(me, { open, active });
  });

  function upsert(chat: Chat): void {
    byId.value = { ...byId.value, [chat.id]: merged(byId.value[chat.id], chat) };
    activity.value = { ...activity.value, [chat.id]: new Date().toISOString() };
  }

  /** Web: bring the chat's tab to the front. Electron main window: open its own window. */
  function open(chatId: string, by: 'user' | 'event' = 'user'): void {
    opened.value++;
    if (by === 'user') focusRequest.value = { chatId, n: opened.value };
    if (bridge.platform === 'electron') {
      bridge.openChat(chatId);
      return;
    }
    if (!openIds.value.includes(chatId)) openIds.value = [...openIds.value, chatId];
    activeId.value = chatId;
  }

  function close(chatId: string): void {
    const at = openIds.value.indexOf(chatId);
    openIds.value = openIds.value.filter((id) => id !== chatId);
    if (activeId.value === chatId) activeId.value = openIds.value[Math.min(at, openIds.value.length - 1)] ?? null;
  }

  async function leave(chatId: string): Promise<boolean> {
    const res = await request('chat:leave', { chatId });
    if (res.ok) left(chatId);
    return res.ok;
  }

  function left(chatId: string): void {
    const { [chatId]: _gone, ...rest } = byId.value;
    byId.value = rest;
    const { [chatId]: _entries, ...otherEntries } = entrySeqs.value;
    entrySeqs.value = otherEntries;
    close(chatId);
  }

  /**
   * Someone joined or left; `entry` is the membership entry the relay appended for it
   * (absent only where a caller has none to give).
   */
  function memberChanged(chatId: string, user: User, change: 'joined' | 'left', entry?: Message): void {
    const c = byId.value[chatId];
    if (!c) return;
    const others = c.members.filter((m) => m.id !== user.id);
    // A joiner just accepted an invite, which only online users receive.
    const members: Member[] = change === 'joined' ? [...others, { ...user, online: true }] : others;
    const gone = (departed.value[chatId] ?? []).filter((u) => u.id !== user.id);
    departed.value = { ...departed.value, [chatId]: change === 'left' ? [...gone, user] : gone };
    byId.value = { ...byId.value, [chatId]: { ...c, members } };
    if (entry) entryArrived(entry);
  }

  /**
   * A membership entry, live or from history: lastSeq moves to it, and the read
   * position too when it was just before it (as the relay does), since an entry is
   * never unread. Not activity: it neither reorders the list nor reads the chat.
   */
  function entryArrived(entry: Message): void {
    const c = byId.value[entry.chatId];
    if (!c) return;
    const readSeq = c.readSeq === entry.seq - 1 ? entry.seq : c.readSeq;
    const lastSeq = Math.max(c.lastSeq, entry.seq);
    if (readSeq !== c.readSeq || lastSeq !== c.lastSeq) byId.value = { ...byId.value, [c.id]: { ...c, lastSeq, readSeq } };
    noteEntries(c.id, [entry]);
  }

  /** Remembers which seqs of a chat are membership entries (history pages bring them too). */
  function noteEntries(chatId: string, messages: readonly Message[]): void {
    const c = byId.value[chatId];
    if (!c) return;
    const known = entrySeqs.value[chatId] ?? [];
    const fresh = messages.filter((m) => m.kind !== 'text' && m.seq > c.readSeq && !known.includes(m.seq)).map((m) => m.seq);
    if (fresh.length === 0) return;
    entrySeqs.value = { ...entrySeqs.value, [chatId]: [...known.filter((seq) => seq > c.readSeq), ...fresh] };
  }

  function messageArrived(message: Message): void {
    if (message.kind !== 'text') return entryArrived(message);
    const c = byId.value[message.chatId];
    if (!c) return;
    byId.value = { ...byId.value, [c.id]: { ...c, lastSeq: Math.max(c.lastSeq, message.seq) } };
    activity.value = { ...activity.value, [c.id]: message.createdAt };
    // What I wrote myself is never unread, on this device or (via the relay) on others.
    if (message.sender.id === session.user?.id && message.seq > c.readSeq) void markRead(c.id, message.seq);
  }

  function readMoved(chatId: string, seq: number): void {
    const c = byId.value[chatId];
    if (!c || seq <= c.readSeq) return;
    byId.value = { ...byId.value, [chatId]: { ...c, readSeq: seq } };
    // Entries at or below the read position no longer matter to unread().
    const known = entrySeqs.value[chatId];
    if (known?.some((s) => s <= seq)) entrySeqs.value = { ...entrySeqs.value, [chatId]: known.filter((s) => s > seq) };
  }

  /** Called while the chat is on screen: everything up to `upTo` (default: all) is read. */
  async function markRead(chatId: string, upTo?: number): Promise<void> {
    const c = byId.value[chatId];
    const seq = Math.min(upTo ?? c?.lastSeq ?? 0, c?.lastSeq ?? 0);
    if (!c || seq <= c.readSeq) return;
    readMoved(chatId, seq);
    await request('chat:read', { chatId, seq });
  }

  function setOnline(userId: string, online: boolean): void {
    let changed = false;
    const next: Record<string, Chat> = {};
    for (const [id, c] of Object.entries(byId.value)) {
      if (c.members.some((m) => m.id === userId && m.online !== online)) {
        next[id] = { ...c, members: c.members.map((m) => (m.id === userId ? { ...m, online } : m)) };
        changed = true;
      } else next[id] = c;
    }
    if (changed) byId.value = next;
  }

  function reset(): void {
    // First, so the clearing below is not remembered as this user's (or the next one's) tabs.
    tabsRecalled = false;
    byId.value = {};
    activity.value = {};
    openIds.value = [];
    activeId.value = null;
    departed.value = {};
    entrySeqs.value = {};
    loaded.value = false;
  }

  return {
    byId,
    list,
    openIds,
    openChats,
    activeId,
    opened,
    focusRequest,
    loaded,
    totalUnread,
    unread,
    title,
    load,
    upsert,
    open,
    close,
    leave,
    left,
    memberChanged,
    entryArrived,
    noteEntries,
    messageArrived,
    readMoved,
    markRead,
    setOnline,
    reset,
  };
});
