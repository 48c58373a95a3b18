// Finds the Electron executable the way node_modules/electron/index.js does, but
// without its side effect: requiring that module when the binary is missing starts an
// unbounded download. `npm start` fetches it itself, bounded in time, when this says
// it is missing (scripts/electron-fetch.ts); the Playwright _electron tests only look.
// Never used by the app itself.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** `packageDir` on a miss: the binary was never downloaded there, and Electron's installer can fetch it. */
export type ElectronBinary = { ok: true; path: string } | { ok: false; reason: string; packageDir?: string };

function defaultExecutable(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

function electronPackageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

export function findElectronBinary(
  env: Record<string, string | undefined> = process.env,
  packageDir: string | null = electronPackageDir(),
  platform: NodeJS.Platform = process.platform,
): ElectronBinary {
  if (!packageDir && !env.ELECTRON_OVERRIDE_DIST_PATH) return { ok: false, reason: 'the electron package is not installed' };
  const pathFile = packageDir ? join(packageDir, 'path.txt') : null;
  const recorded = pathFile && existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const executable = recorded || defaultExecutable(platform);
  let candidate: string;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    candidate = join(env.ELECTRON_OVERRIDE_DIST_PATH, executable);
  } else if (recorded && packageDir) {
    candidate = join(packageDir, 'dist', executable);
  } else {
    return {
      ok: false,
      reason: 'no Electron binary was downloaded (node_modules/electron/path.txt is missing) and ELECTRON_OVERRIDE_DIST_PATH is not set',
      ...(packageDir ? { packageDir } : {}),
    };
  }
  if (!existsSync(candidate)) {
    const fetchable = !env.ELECTRON_OVERRIDE_DIST_PATH && packageDir;
    return { ok: false, reason: `no Electron binary at ${candidate}`, ...(fetchable ? { packageDir } : {}) };
  }
  try {
    accessSync(candidate, constants.X_OK);
  } catch {
    return { ok: false, reason: `${candidate} is not executable` };
  }
  return { ok: true, path: candidate };
}

/** Output of an Electron that cannot run here, as opposed to an app error. */
export function looksLikeBrokenElectron(output: string): boolean {
  return /Electron failed to install correctly|error while loading shared libraries|cannot open shared object file|Missing X server|cannot open display/i.test(output);
}
