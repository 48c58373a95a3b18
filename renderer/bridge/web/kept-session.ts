// The signed-in user of the web client, kept in localStorage so a reload stays signed in.
import type { User } from '../../../protocol/types';

const TOKEN_KEY = 'relaychat.token';
const USER_KEY = 'relaychat.user';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Access can throw when storage is disabled for the site.
    return null;
  }
}

export function loadToken(): string | null {
  return storage()?.getItem(TOKEN_KEY) ?? null;
}

/** The last signed-in user; it outlives a dead token so we know whose queued messages these are. */
export function loadUser(): User | null {
  const raw = storage()?.getItem(USER_KEY);
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return null;
    const u = v as Record<string, unknown>;
    if (typeof u.id !== 'string' || typeof u.username !== 'string' || typeof u.displayName !== 'string') return null;
    return { id: u.id, username: u.username, displayName: u.displayName };
  } catch {
    return null;
  }
}

export function keepSession(token: string, user: User): void {
  const s = storage();
  s?.setItem(TOKEN_KEY, token);
  s?.setItem(USER_KEY, JSON.stringify(user));
}

export function forgetToken(): void {
  storage()?.removeItem(TOKEN_KEY);
}

export function forgetSession(): void {
  const s = storage();
  s?.removeItem(TOKEN_KEY);
  s?.removeItem(USER_KEY);
}
