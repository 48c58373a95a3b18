// Who is signed in. Sign-in errors stay on the form (they are about what was typed).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { User } from '../../protocol/types';
import { useBridge } from '../bridge/inject';
import type { AuthOutcome } from '../bridge/types';
import { describeAuthError } from '../app/describeError';

export type SessionStatus = 'loading' | 'signed-out' | 'signed-in';

export const useSessionStore = defineStore('session', () => {
  const bridge = useBridge();
  const user = ref<User | null>(null);
  const status = ref<SessionStatus>('loading');
  const authError = ref<string | null>(null);
  const busy = ref(false);

  async function restore(): Promise<void> {
    try {
      const restored = await bridge.restoreSession();
      user.value = restored;
      status.value = restored ? 'signed-in' : 'signed-out';
    } catch (err) {
      status.value = 'signed-out';
      authError.value = `Could not restore your session: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  async function authenticate(run: () => Promise<AuthOutcome>): Promise<boolean> {
    busy.value = true;
    authError.value = null;
    try {
      const outcome = await run();
      if (!outcome.ok) {
        authError.value = describeAuthError(outcome.error);
        return false;
      }
      user.value = outcome.user;
      status.value = 'signed-in';
      return true;
    } catch (err) {
      authError.value = `Could not reach the relay: ${err instanceof Error ? err.message : String(err)}`;
      return false;
    } finally {
      busy.value = false;
    }
  }

  const login = (username: string, password: string) => authenticate(() => bridge.login(username, password));
  const register = (username: string, password: string, displayName?: string) =>
    authenticate(() => bridge.register(username, password, displayName || undefined));

  async function logout(): Promise<void> {
    // Signed out here first, so the bridge's "signed-out" state reads as expected, not
    // as a session lost elsewhere.
    user.value = null;
    status.value = 'signed-out';
    try {
      await bridge.logout();
    } catch (err) {
      authError.value = `Signed out here, but the relay could not be told: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** The bridge lost the session (token revoked elsewhere). */
  function signedOutRemotely(): void {
    user.value = null;
    status.value = 'signed-out';
  }

  return { user, status, authError, busy, restore, login, register, logout, signedOutRemotely };
});
