import { describe, expect, it } from 'vitest';
import { withUnreadDot } from '../../../electron/tray-icon';
import { trayMenu, trayTitle, trayTooltip, type TrayState } from '../../../electron/tray-menu';

const base: TrayState = { unread: 0, doNotDisturb: false, startAtLogin: false, signedInAs: 'Ann', offline: false };

describe('tray menu and tooltip', () => {
  it('has Open, Do not disturb, Start at login, Sign out and Quit', () => {
    expect(trayMenu(base)).toEqual([
      { kind: 'label', label: 'Signed in as Ann' },
      { kind: 'separator' },
      { kind: 'action', id: 'open', label: 'Open Relay Chat', enabled: true },
      { kind: 'checkbox', id: 'do-not-disturb', label: 'Do not disturb', checked: false },
      { kind: 'checkbox', id: 'start-at-login', label: 'Start at login', checked: false },
      { kind: 'separator' },
      { kind: 'action', id: 'sign-out', label: 'Sign out', enabled: true },
      { kind: 'action', id: 'quit', label: 'Quit Relay Chat', enabled: true },
    ]);
  });

  it('shows the unread total, offline and Do not disturb in words', () => {
    const s = { ...base, unread: 3, doNotDisturb: true, offline: true, startAtLogin: true };
    expect(trayTooltip(s)).toBe('Relay Chat — offline, reconnecting — 3 unread messages — Do not disturb');
    expect(trayMenu(s).slice(0, 4)).toEqual([
      { kind: 'label', label: 'Signed in as Ann' },
      { kind: 'label', label: 'Offline — reconnecting' },
      { kind: 'label', label: '3 unread messages' },
      { kind: 'label', label: 'Notifications are silenced' },
    ]);
    expect(trayMenu(s).filter((i) => i.kind === 'checkbox').map((i) => i.kind === 'checkbox' && i.checked)).toEqual([true, true]);
    expect(trayTooltip({ ...base, unread: 1 })).toBe('Relay Chat — 1 unread message');
    expect(trayTitle({ ...base, unread: 0 })).toBe('');
    expect(trayTitle({ ...base, unread: 7 })).toBe('7');
    expect(trayTitle({ ...base, unread: 250 })).toBe('99+');
  });

  it('signed out: says so, and Sign out is disabled', () => {
    const s = { ...base, signedInAs: null };
    expect(trayTooltip(s)).toBe('Relay Chat — signed out');
    expect(trayMenu(s)[0]).toEqual({ kind: 'label', label: 'Not signed in' });
    expect(trayMenu(s).find((i) => i.kind === 'action' && i.id === 'sign-out')).toMatchObject({ enabled: false });
  });
});

describe('tray icon unread dot', () => {
  it('paints a red dot in the top-right corner and leaves the rest alone', () => {
    const w = 24;
    const h = 24;
    const blue = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) blue.set([0xd0, 0x60, 0x20, 0xff], i * 4); // BGRA
    const out = withUnreadDot(blue, w, h);
    const px = (x: number, y: number) => [...out.subarray((y * w + x) * 4, (y * w + x) * 4 + 4)];
    expect(px(w - 5, 5)).toEqual([0x2b, 0x39, 0xe5, 0xff]);
    expect(px(2, h - 3)).toEqual([0xd0, 0x60, 0x20, 0xff]);
    expect(blue.readUInt32LE(((5 * w) + w - 5) * 4)).toBe(0xff2060d0); // the input is untouched
    expect(() => withUnreadDot(Buffer.alloc(10), w, h)).toThrow(RangeError);
  });

  it('fills a transparent bitmap with a round dot for the Windows taskbar overlay', () => {
    const out = withUnreadDot(Buffer.alloc(16 * 16 * 4), 16, 16, 0.5);
    const alpha = (x: number, y: number) => out[(y * 16 + x) * 4 + 3];
    expect(alpha(8, 8)).toBe(255);
    expect(alpha(0, 0)).toBe(0); // corners stay transparent: a circle, not a square
    expect(alpha(15, 15)).toBe(0);
  });
});
