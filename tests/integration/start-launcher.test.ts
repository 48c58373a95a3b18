// `npm start` on a machine whose electron package came without its binary (Electron 45
// downloads it on first use): the launcher runs Electron's own installer, which asks
// ELECTRON_MIRROR for the archive; here that mirror is a loopback server of the test
// that records the request and answers 404, so the launcher then falls back to the web
// client in one line. Where a binary is installed there is nothing to fetch: skipped.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../electron/find-binary';

const ROOT = resolve(import.meta.dirname, '../..');
const installed = findElectronBinary({});
if (installed.ok) console.log(`[start-launcher] skipped: an Electron binary is installed (${installed.path}), so npm start has nothing to fetch`);

const temps: string[] = [];
let server: Server | null = null;
let child: ChildProcess | null = null;

afterAll(async () => {
  try {
    if (child?.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already: the test stopped it.
  }
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function electronVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
}

/** The environment of a user with no Electron settings of their own, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(ELECTRON_|npm_config_electron|electron_config|RELAY_URL$|PORT$|DATA_DIR$)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

describe.skipIf(installed.ok || process.platform === 'win32')('npm start without an Electron binary', () => {
  it('asks ELECTRON_MIRROR for the Electron archive, then prints one fallback line with the web client address', async () => {
    const requests: string[] = [];
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.statusCode = 404;
      res.end('not here');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const cache = mkdtempSync(join(tmpdir(), 'electron-cache-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'start-data-'));
    temps.push(cache, dataDir);

    child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start'], {
      cwd: ROOT,
      env: cleanEnv({ ELECTRON_MIRROR: mirror, electron_config_cache: cache, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the relay it starts is stopped with it.
      detached: true,
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));

    const fallback = /\[start\] the desktop app cannot start here \((.+)\); open the web client at (http:\/\/127\.0\.0\.1:\d+\/)/;
    const deadline = Date.now() + 120_000;
    while (!fallback.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const m = fallback.exec(out);
    expect(m, out).not.toBeNull();

    // Electron's installer asked our mirror for exactly this platform's archive...
    const version = electronVersion();
    expect(requests).toContain(`GET /v${version}/electron-v${version}-${process.platform}-${process.arch}.zip`);
    // ...and its 404 is the reason given, in the one fallback line.
    expect(m![1]).toMatch(/^Electron could not be fetched: .*404/);
    expect(out.match(/the desktop app cannot start here/g)).toHaveLength(1);
    expect(out).toContain('[start] fetching Electron');
    // The address printed is the relay's web client, serving.
    const page = await fetch(m![2]!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');

    // Ctrl-C (SIGINT to the group, as a terminal sends it) stops the launcher and the relay it started.
    const exited = new Promise<void>((r) => child!.once('exit', () => r()));
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    let relayUp = true;
    for (let i = 0; i < 150 && relayUp; i++) {
      relayUp = await fetch(m![2]!).then(
        () => true,
        () => false,
      );
      if (relayUp) await new Promise((r) => setTimeout(r, 100));
    }
    expect(relayUp).toBe(false);
  }, 150_000);
});
