// Toasts: every relay error ends up here (never silent), plus invites and info.
import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface NoticeAction {
  label: string;
  run: () => void | Promise<void>;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info' | 'invite';
  text: string;
  actions: NoticeAction[];
}

const LIFETIME_MS: Record<Notice['kind'], number> = { error: 8000, info: 5000, invite: 30000 };

export const useNoticesStore = defineStore('notices', () => {
  const notices = ref<Notice[]>([]);
  let nextId = 1;

  function push(kind: Notice['kind'], text: string, actions: NoticeAction[] = []): number {
    const id = nextId++;
    notices.value.push({ id, kind, text, actions });
    // Bounded: a burst of errors must not bury the screen.
    if (notices.value.length > 5) notices.value.splice(0, notices.value.length - 5);
    setTimeout(() => dismiss(id), LIFETIME_MS[kind]);
    return id;
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  return {
    notices,
    error: (text: string, actions?: NoticeAction[]) => push('error', text, actions),
    info: (text: string, actions?: NoticeAction[]) => push('info', text, actions),
    invite: (text: string, actions?: NoticeAction[]) => push('invite', text, actions),
    dismiss,
  };
});
