// The link to the relay as the bridge reports it; drives the offline banner.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ConnectionState } from '../bridge/types';

export const useConnectionStore = defineStore('connection', () => {
  const state = ref<ConnectionState>({ status: 'signed-out' });

  const banner = computed<string | null>(() => {
    const s = state.value;
    if (s.status === 'connecting') return 'Connecting to the relay…';
    if (s.status === 'reconnecting') {
      const secs = Math.max(1, Math.round(s.retryInMs / 1000));
      return `Offline — reconnecting (attempt ${s.attempt}, next try in ${secs} s). Messages you send are queued.`;
    }
    return null;
  });

  function set(next: ConnectionState): void {
    state.value = next;
  }

  return { state, banner, set };
});
