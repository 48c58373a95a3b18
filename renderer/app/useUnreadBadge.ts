// Keeps the dock/taskbar badge (or the page title on the web) on the total unread.
import { watch } from 'vue';
import { useBridge } from '../bridge/inject';
import { useChatsStore } from '../stores/chats';

export function useUnreadBadge(): void {
  const bridge = useBridge();
  const chats = useChatsStore();
  watch(() => chats.totalUnread, (n) => bridge.setBadge(n), { immediate: true });
}
