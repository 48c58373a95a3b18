// The installer config really locks the packaged app down: electron-builder, run as a
// user would with `--linux dir -c.electronDist=DIR`, flips Electron's fuses in the
// binary it packages. No Electron binary can be downloaded here, so DIR holds a stand-in
// `electron` carrying the fuse wire exactly as Electron's binaries do (the sentinel,
// the wire version, its length, one byte per fuse): what electron-builder reads and
// writes. Which fuse sits where is Electron's published order (FuseV1Options).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../electron/electron-env';

const ROOT = resolve(import.meta.dirname, '../..');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSES = [
  'RunAsNode',
  'EnableCookieEncryption',
  'EnableNodeOptionsEnvironmentVariable',
  'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation',
  'OnlyLoadAppFromAsar',
  'LoadBrowserProcessSpecificV8Snapshot',
  'GrantFileProtocolExtraPrivileges',
] as const;

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function readFuses(binary: string): Record<string, 'on' | 'off'> {
  const bytes = readFileSync(binary);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length;
  expect(bytes[at]).toBe(1); // wire version
  const length = bytes[at + 1]!;
  const out: Record<string, 'on' | 'off'> = {};
  FUSES.forEach((name, i) => {
    if (i < length) out[name] = bytes[at + 2 + i] === 0x31 ? 'on' : 'off';
  });
  return out;
}

describe.skipIf(process.platform !== 'linux')('packaged desktop app', () => {
  it('has RunAsNode, NODE_OPTIONS and --inspect off, loads only its checked app.asar', () => {
    ensureBuilt();
    const dist = mkdtempSync(join(tmpdir(), 'electron-dist-'));
    const output = mkdtempSync(join(tmpdir(), 'desktop-build-'));
    temps.push(dist, output);
    // Every fuse on, as a stock Electron ships most of them: the config must turn them off.
    const wire = Buffer.from('1'.repeat(FUSES.length));
    writeFileSync(join(dist, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\n'), Buffer.from(SENTINEL), Buffer.from([1, FUSES.length]), wire]), { mode: 0o755 });
    writeFileSync(join(dist, 'version'), '45.5.0');
    mkdirSync(join(dist, 'resources'));

    const res = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/electron-builder/cli.js'),
        '-c',
        'build/electron-builder.yml',
        '--linux',
        'dir',
        `-c.electronDist=${dist}`,
        `-c.directories.output=${output}`,
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 240_000 },
    );
    expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);

    const app = join(output, 'linux-unpacked');
    expect(readFuses(join(app, 'relay-chat'))).toEqual({
      RunAsNode: 'off',
      EnableCookieEncryption: 'on',
      EnableNodeOptionsEnvironmentVariable: 'off',
      EnableNodeCliInspectArguments: 'off',
      EnableEmbeddedAsarIntegrityValidation: 'on',
      OnlyLoadAppFromAsar: 'on',
      LoadBrowserProcessSpecificV8Snapshot: 'on', // not ours to change
      GrantFileProtocolExtraPrivileges: 'off',
    });
    // The app is an asar and nothing else: no loose app folder a fuse would have to refuse.
    expect(existsSync(join(app, 'resources', 'app.asar'))).toBe(true);
    expect(existsSync(join(app, 'resources', 'app'))).toBe(false);
  }, 300_000);
});
