// Which chats were open as tabs in the web client, and which was in front, so a reload
// (or a new tab) comes back to them. Kept per user: someone else signing in on the same
// browser must not get these tabs. sessionStorage is this tab's own memory and wins; the
// localStorage copy is for a tab opened later. Storage errors (disabled, full) only cost
// the memory, never the app.
export interface OpenChats {
  open: string[];
  active: string | null;
}

const key = (userId: string) => `relaychat.openChats.${userId}`;

function stores(): Storage[] {
  const found: Storage[] = [];
  for (const get of [() => sessionStorage, () => localStorage]) {
    try {
      const s = get();
      if (s) found.push(s);
    } catch {
      // Access itself throws where storage is disabled for the site.
    }
  }
  return found;
}

function parse(raw: string | null): OpenChats | null {
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return null;
    const { open, active } = v as Record<string, unknown>;
    if (!Array.isArray(open) || !open.every((id): id is string => typeof id === 'string')) return null;
    return { open, active: typeof active === 'string' ? active : null };
  } catch {
    return null;
  }
}

export function recallOpenChats(userId: string): OpenChats | null {
  for (const s of stores()) {
    try {
      const found = parse(s.getItem(key(userId)));
      if (found) return found;
    } catch {
      // unreadable here: try the next store
    }
  }
  return null;
}

export function rememberOpenChats(userId: string, state: OpenChats): void {
  const raw = JSON.stringify(state);
  for (const s of stores()) {
    try {
      s.setItem(key(userId), raw);
    } catch {
      // quota or privacy mode: the tabs just will not come back after a reload
    }
  }
}
