// Friends, and friend requests both ways. After each action we re-read the list from
// the relay: the ack carries no user (e.g. a request may have made us friends at once).
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Member, User, WireError } from '../../protocol/types';
import { useBridge } from '../bridge/inject';
import { useRelayRequest } from './relayRequest';
import { useNoticesStore } from './notices';

const byName = (a: User, b: User) => a.displayName.localeCompare(b.displayName) || a.username.localeCompare(b.username);

export const useFriendsStore = defineStore('friends', () => {
  const request = useRelayRequest(useBridge());
  const friends = ref<Member[]>([]);
  const incoming = ref<User[]>([]);
  const outgoing = ref<User[]>([]);
  const notices = useNoticesStore();
  /** The toast announcing each incoming request, so it goes once the request is answered. */
  const toasts = new Map<string, number>();

  const sorted = computed(() =>
    // Online first, so the people you can invite are at the top.
    [...friends.value].sort((a, b) => Number(b.online) - Number(a.online) || byName(a, b)),
  );

  /** Loads may overlap (two requests sent back to back); only the newest one's answer counts. */
  let loads = 0;

  async function load(): Promise<void> {
    const mine = ++loads;
    const res = await request('friends:list', {});
    if (!res.ok || mine !== loads) return;
    friends.value = res.value.friends;
    incoming.value = res.value.incoming;
    for (const [id, toast] of toasts) {
      if (!incoming.value.some((u) => u.id === id)) {
        notices.dismiss(toast);
        toasts.delete(id);
      }
    }
    outgoing.value = res.value.outgoing;
  }

  async function act(event: 'friends:request' | 'friends:accept' | 'friends:decline' | 'friends:remove', username: string) {
    const res = await request(event, { username });
    if (res.ok) await load();
    return res.ok;
  }

  /** A friend request; a refusal is returned for the form to show next to its field, not toasted. */
  async function sendRequest(username: string): Promise<WireError | null> {
    const res = await request('friends:request', { username: username.trim().toLowerCase() }, { quiet: true });
    if (!res.ok) return res.error;
    await load();
    return null;
  }

  function setOnline(userId: string, online: boolean): void {
    const f = friends.value.find((x) => x.id === userId);
    if (f) f.online = online;
  }

  function added(friend: Member): void {
    friends.value = [...friends.value.filter((f) => f.id !== friend.id), friend];
    incoming.value = incoming.value.filter((u) => u.id !== friend.id);
    const toast = toasts.get(friend.id);
    if (toast !== undefined) notices.dismiss(toast);
    toasts.delete(friend.id);
    outgoing.value = outgoing.value.filter((u) => u.id !== friend.id);
  }

  function requested(from: User): void {
    if (incoming.value.some((u) => u.id === from.id)) return;
    incoming.value = [...incoming.value, from];
    toasts.set(
      from.id,
      // Kept as long as an invite's toast: it carries the answer buttons.
      notices.invite(`${from.displayName} (@${from.username}) sent you a friend request.`, [
        { label: 'Accept', run: () => void act('friends:accept', from.username) },
        { label: 'Decline', run: () => void act('friends:decline', from.username) },
      ]),
    );
  }

  function removed(userId: string): void {
    friends.value = friends.value.filter((f) => f.id !== userId);
  }

  function isOnline(userId: string): boolean {
    return friends.value.some((f) => f.id === userId && f.online);
  }

  function reset(): void {
    toasts.clear();
    friends.value = [];
    incoming.value = [];
    outgoing.value = [];
  }

  return {
    friends,
    sorted,
    incoming,
    outgoing,
    load,
    sendRequest,
    accept: (username: string) => act('friends:accept', username),
    decline: (username: string) => act('friends:decline', username),
    remove: (username: string) => act('friends:remove', username),
    setOnline,
    added,
    requested,
    removed,
    isOnline,
    reset,
  };
});
