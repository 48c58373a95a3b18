// Which chat the user is looking at right now: the route's chat in an Electron chat
// window, the front tab on the web; none while the page is hidden. It is marked read
// as messages arrive, and the notifier is told to stay quiet for it.
import { computed, onBeforeUnmount, onMounted, ref, watch, type Ref } from 'vue';
import { useBridge } from '../bridge/inject';
import { useChatsStore } from '../stores/chats';
import { useSessionStore } from '../stores/session';
import type { Route } from './route';

export function useFocusedChat(route: Ref<Route>): void {
  const bridge = useBridge();
  const chats = useChatsStore();
  const session = useSessionStore();
  const visible = ref(document.visibilityState !== 'hidden');
  const onVisibility = () => (visible.value = document.visibilityState !== 'hidden');
  onMounted(() => document.addEventListener('visibilitychange', onVisibility));
  onBeforeUnmount(() => document.removeEventListener('visibilitychange', onVisibility));

  const focused = computed<string | null>(() => {
    if (!visible.value || session.status !== 'signed-in') return null;
    const id = route.value.kind === 'chat' ? route.value.chatId : chats.activeId;
    return id && id in chats.byId ? id : null;
  });

  watch(focused, (id) => bridge.setFocusedChat(id), { immediate: true });
  // Keyed on the unread count, not on lastSeq: whatever makes the chat on screen unread
  // (a new message, or a snapshot from the relay that predates our last read) reads it.
  watch(
    [focused, () => (focused.value ? chats.unread(focused.value) : 0)],
    ([id, n]) => {
      if (id && n > 0) void chats.markRead(id);
    },
    { immediate: true },
  );
}
