// Whether the Playwright _electron tests can run here, and what they need: an Electron
// binary (a normal install, or ELECTRON_OVERRIDE_DIST_PATH), a display on Linux, and
// the app built into out/. Checked before anything is launched, so a machine without
// Electron skips with a reason instead of failing or trying to download one.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds main, preload and renderer into out/ unless a build newer than the sources is there. */
export function ensureBuilt(): void {
  const needed = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].map((f) => resolve(ROOT, f));
  if (needed.every((f) => existsSync(f))) {
    const built = Math.min(...needed.map((f) => statSync(f).mtimeMs));
    const sources = Math.max(...['electron', 'renderer', 'client', 'protocol'].map((d) => newestMtime(resolve(ROOT, d))));
    if (built >= sources) return;
  }
  const res = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error(`electron-vite build failed (${res.status ?? res.signal})`);
}
