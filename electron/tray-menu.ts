// What the tray icon shows: its tooltip and its menu, as plain data built from the
// app's state, so what a user sees there is unit-tested; main.ts only turns it into
// Electron's Tray and Menu.
export type TrayCommand = 'open' | 'do-not-disturb' | 'start-at-login' | 'sign-out' | 'quit';

export type TrayMenuItem =
  | { kind: 'label'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; id: TrayCommand; label: string; enabled: boolean }
  | { kind: 'checkbox'; id: TrayCommand; label: string; checked: boolean };

export interface TrayState {
  unread: number;
  doNotDisturb: boolean;
  startAtLogin: boolean;
  /** Display name of the signed-in user, null when signed out. */
  signedInAs: string | null;
  /** Signed in but not connected to the relay right now. */
  offline: boolean;
}

export const APP_NAME = 'Relay Chat';

function unreadText(n: number): string {
  return n === 1 ? '1 unread message' : `${n} unread messages`;
}

export function trayTooltip(s: TrayState): string {
  const parts = [APP_NAME];
  if (s.signedInAs === null) parts.push('signed out');
  else if (s.offline) parts.push('offline, reconnecting');
  if (s.signedInAs !== null && s.unread > 0) parts.push(unreadText(s.unread));
  if (s.doNotDisturb) parts.push('Do not disturb');
  return parts.join(' — ');
}

/** The count beside the icon where the OS has room for one (macOS menu bar); '' when none. */
export function trayTitle(s: TrayState): string {
  return s.unread > 0 ? (s.unread > 99 ? '99+' : String(s.unread)) : '';
}

export function trayMenu(s: TrayState): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  items.push({ kind: 'label', label: s.signedInAs === null ? 'Not signed in' : `Signed in as ${s.signedInAs}` });
  if (s.offline) items.push({ kind: 'label', label: 'Offline — reconnecting' });
  if (s.signedInAs !== null && s.unread > 0) items.push({ kind: 'label', label: unreadText(s.unread) });
  // Said where the user looks when they wonder why nothing pops up.
  if (s.doNotDisturb) items.push({ kind: 'label', label: 'Notifications are silenced' });
  items.push(
    { kind: 'separator' },
    { kind: 'action', id: 'open', label: `Open ${APP_NAME}`, enabled: true },
    { kind: 'checkbox', id: 'do-not-disturb', label: 'Do not disturb', checked: s.doNotDisturb },
    { kind: 'checkbox', id: 'start-at-login', label: 'Start at login', checked: s.startAtLogin },
    { kind: 'separator' },
    { kind: 'action', id: 'sign-out', label: 'Sign out', enabled: s.signedInAs !== null },
    { kind: 'action', id: 'quit', label: `Quit ${APP_NAME}`, enabled: true },
  );
  return items;
}
