// Whether the Playwright _electron tests can run here, and what they need: an Electron
// binary (a normal install, or ELECTRON_OVERRIDE_DIST_PATH), a display on Linux, and
// the app built into out/. Checked before anything is launched, so a machine without
// Electron skips with a reason instead of failing or trying to download one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findElectronBinary } from '../../electron/find-binary';

export const ROOT = resolve(import.meta.dirname, '../..');

export type ElectronEnv = { ok: true; binary: string } | { ok: false; reason: string };

let cached: ElectronEnv | null = null;

export function electronEnv(): ElectronEnv {
  if (cached) return cached;
  const found = findElectronBinary();
  if (!found.ok) return (cached = { ok: false, reason: `no Electron binary: ${found.reason}` });
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return (cached = { ok: false, reason: 'no display for Electron (set DISPLAY, e.g. run under xvfb-run)' });
  }
  return (cached = { ok: true, binary: found.path });
}

/** Builds main, preload and renderer into out/ unless they are there already. */
export function ensureBuilt(): void {
  const needed = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
  if (needed.every((f) => existsSync(resolve(ROOT, f)))) return;
  const res = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error(`electron-vite build failed (${res.status ?? res.signal})`);
}
