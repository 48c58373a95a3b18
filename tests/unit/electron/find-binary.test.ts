import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findElectronBinary, looksLikeBrokenElectron } from '../../../electron/find-binary';

const dirs: string[] = [];
function pkgDir() {
  const d = mkdtempSync(join(tmpdir(), 'electron-pkg-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fakeBinary(path: string, executable = true) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, executable ? 0o755 : 0o644);
}

describe.skipIf(process.platform === 'win32')('findElectronBinary', () => {
  it('reports a package whose binary was never downloaded, without trying to download', () => {
    const dir = pkgDir();
    const found = findElectronBinary({}, dir, 'linux');
    expect(found.ok).toBe(false);
    if (!found.ok) expect(found.reason).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    // ...and says where Electron's installer can fetch it.
    expect(found).toMatchObject({ ok: false, packageDir: dir });
  });

  it('finds the downloaded binary named in path.txt', () => {
    const dir = pkgDir();
    writeFileSync(join(dir, 'path.txt'), 'electron');
    expect(findElectronBinary({}, dir, 'linux').ok).toBe(false);
    fakeBinary(join(dir, 'dist', 'electron'));
    expect(findElectronBinary({}, dir, 'linux')).toEqual({ ok: true, path: join(dir, 'dist', 'electron') });
  });

  it('uses ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const dir = pkgDir();
    const dist = join(pkgDir(), 'dist');
    fakeBinary(join(dist, 'electron'));
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist }, dir, 'linux')).toEqual({ ok: true, path: join(dist, 'electron') });
    // A binary the user pointed at is theirs to provide: nothing to fetch.
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist }, dir, 'darwin')).not.toHaveProperty('packageDir');
  });

  it('refuses a binary that cannot be executed', () => {
    const dist = join(pkgDir(), 'dist');
    fakeBinary(join(dist, 'electron'), false);
    const found = findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist }, pkgDir(), 'linux');
    expect(found.ok).toBe(false);
  });

  it('recognises the output of an Electron that cannot run', () => {
    expect(looksLikeBrokenElectron('Error: Electron failed to install correctly, please delete node_modules/electron')).toBe(true);
    expect(looksLikeBrokenElectron('electron: error while loading shared libraries: libnss3.so')).toBe(true);
    expect(looksLikeBrokenElectron('TypeError: x is not a function')).toBe(false);
  });
});
