// "Start at login". macOS and Windows have an OS setting that Electron reaches
// (app.setLoginItemSettings); Linux has none, so there the app writes an XDG autostart
// entry (~/.config/autostart/*.desktop), which every freedesktop session honours.
// Started at login, the app comes up in the tray with no window (HIDDEN_ARG).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const HIDDEN_ARG = '--hidden';
export const AUTOSTART_FILE = 'relay-chat.desktop';

export interface LoginItem {
  isEnabled(): boolean;
  setEnabled(on: boolean): void;
}

/** A Desktop Entry Exec argument, quoted as the spec asks (and % escaped as %%). */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_\-./=:+,@%]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Relay Chat',
    'Comment=Chat with your team or class',
    `Exec=${command.map(quoteExecArg).join(' ')}`,
    'Icon=relay-chat',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function autostartDir(env: Record<string, string | undefined>, home: string = homedir()): string {
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'autostart');
}

export class XdgAutostart implements LoginItem {
  private readonly file: string;

  /** `command`: how to start this very app again (executable and arguments). */
  constructor(
    dir: string,
    private readonly command: readonly string[],
    private readonly log: (message: string) => void,
  ) {
    this.file = join(dir, AUTOSTART_FILE);
  }

  isEnabled(): boolean {
    try {
      // Hidden=true is how desktops record "disabled" for an entry they did not write.
      return !/^Hidden\s*=\s*true\s*$/m.test(readFileSync(this.file, 'utf8'));
    } catch {
      return false;
    }
  }

  setEnabled(on: boolean): void {
    try {
      if (on) {
        mkdirSync(join(this.file, '..'), { recursive: true });
        writeFileSync(this.file, autostartEntry([...this.command, HIDDEN_ARG]));
      } else {
        rmSync(this.file, { force: true });
      }
    } catch (err) {
      this.log(`start at login: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** What the app needs of Electron's app.get/setLoginItemSettings. */
export interface OsLoginItemApi {
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}

export class OsLoginItem implements LoginItem {
  // Windows tells login-started apps apart only by their arguments; macOS by its own flag.
  private readonly args: string[];

  constructor(
    private readonly api: OsLoginItemApi,
    platform: NodeJS.Platform,
  ) {
    this.args = platform === 'win32' ? [HIDDEN_ARG] : [];
  }

  isEnabled(): boolean {
    return this.api.getLoginItemSettings(this.args.length ? { args: this.args } : undefined).openAtLogin;
  }

  setEnabled(on: boolean): void {
    this.api.setLoginItemSettings({ openAtLogin: on, openAsHidden: true, ...(this.args.length ? { args: this.args } : {}) });
  }
}
