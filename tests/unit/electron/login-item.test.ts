import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OsLoginItem, XdgAutostart, autostartDir, autostartEntry, quoteExecArg, type OsLoginItemApi } from '../../../electron/login-item';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('XDG autostart (Linux)', () => {
  it('quotes Exec arguments as the Desktop Entry specification asks', () => {
    expect(quoteExecArg('/usr/bin/relay-chat')).toBe('/usr/bin/relay-chat');
    expect(quoteExecArg('/home/ann/My Apps/Relay Chat.AppImage')).toBe('"/home/ann/My Apps/Relay Chat.AppImage"');
    expect(quoteExecArg('/tmp/a"b$c`d\\e')).toBe('"/tmp/a\\"b\\$c\\`d\\\\e"');
    expect(quoteExecArg('/opt/100%/app')).toBe('/opt/100%%/app');
    expect(autostartEntry(['/opt/x/relay-chat', '--hidden'])).toMatch(/^\[Desktop Entry\]\nType=Application\n[\s\S]*\nExec=\/opt\/x\/relay-chat --hidden\n/);
  });

  it('lives in $XDG_CONFIG_HOME/autostart, or ~/.config/autostart', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/ann')).toBe('/cfg/autostart');
    expect(autostartDir({}, '/home/ann')).toBe('/home/ann/.config/autostart');
    // A relative value is invalid by the spec and ignored.
    expect(autostartDir({ XDG_CONFIG_HOME: 'cfg' }, '/home/ann')).toBe('/home/ann/.config/autostart');
  });

  it('is on while its entry exists and is not marked Hidden', () => {
    const dir = mkdtempSync(join(tmpdir(), 'autostart-'));
    dirs.push(dir);
    const item = new XdgAutostart(join(dir, 'autostart'), ['/opt/relay-chat'], () => undefined);
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    expect(item.isEnabled()).toBe(true);
    expect(readFileSync(join(dir, 'autostart', 'relay-chat.desktop'), 'utf8')).toContain('Exec=/opt/relay-chat --hidden\n');
    // The desktop's own settings app turns an entry off this way.
    writeFileSync(join(dir, 'autostart', 'relay-chat.desktop'), autostartEntry(['/opt/relay-chat']) + 'Hidden=true\n');
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(false);
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
  });
});

describe('OS login items (macOS, Windows)', () => {
  function api() {
    const calls: unknown[] = [];
    let on = false;
    const a: OsLoginItemApi = {
      getLoginItemSettings: (o) => (calls.push(['get', o]), { openAtLogin: on }),
      setLoginItemSettings: (s) => {
        calls.push(['set', s]);
        on = s.openAtLogin;
      },
    };
    return { a, calls };
  }

  it('on Windows registers the app with --hidden so a login start stays in the tray', () => {
    const { a, calls } = api();
    const item = new OsLoginItem(a, 'win32');
    item.setEnabled(true);
    expect(item.isEnabled()).toBe(true);
    expect(calls).toEqual([
      ['set', { openAtLogin: true, openAsHidden: true, args: ['--hidden'] }],
      ['get', { args: ['--hidden'] }],
    ]);
  });

  it('on macOS uses the login item as it is', () => {
    const { a, calls } = api();
    const item = new OsLoginItem(a, 'darwin');
    item.setEnabled(true);
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
    expect(calls).toEqual([
      ['set', { openAtLogin: true, openAsHidden: true }],
      ['set', { openAtLogin: false, openAsHidden: true }],
      ['get', undefined],
    ]);
  });
});
