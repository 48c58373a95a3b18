// Fetches Electron's binary for `npm start` when the electron package was installed
// without it (Electron 45 downloads it on first use). It runs Electron's own installer
// (node_modules/electron/install.js), so ELECTRON_MIRROR, electron_config_cache, the
// download cache and proxies work as Electron documents them; this file adds a time
// bound, a progress line, and one short reason when it fails.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type FetchOutcome = { ok: true } | { ok: false; reason: string };

export interface FetchOptions {
  /** node_modules/electron */
  packageDir: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** One line of progress (downloaded so far). */
  progress(line: string): void;
  progressEveryMs?: number;
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** Why we may not download at all, or null when we may. */
export function fetchRefusal(env: NodeJS.ProcessEnv): string | null {
  const skip = env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  if (skip && skip !== '0' && skip.toLowerCase() !== 'false') return 'its download is turned off (ELECTRON_SKIP_BINARY_DOWNLOAD is set)';
  return null;
}

/** The installer's environment: Electron's downloader uses a proxy only when asked to. */
export function installerEnv(env: NodeJS.ProcessEnv, tempDir: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, TMPDIR: tempDir, TMP: tempDir, TEMP: tempDir };
  if (!out.ELECTRON_GET_USE_PROXY && PROXY_VARIABLES.some((v) => out[v])) out.ELECTRON_GET_USE_PROXY = '1';
  return out;
}

/** The installer's error, in one line: its first line that is not a stack frame. */
export function reasonFrom(stderr: string, exit: number | null, signal: NodeJS.Signals | null): string {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0 && !l.startsWith('at '));
  // Node's fetch says only this when no connection could be made at all.
  if (line === 'TypeError: fetch failed') return 'the download server could not be reached (fetch failed)';
  if (line) return line.length > 300 ? `${line.slice(0, 299)}…` : line;
  return signal ? `the installer was stopped (${signal})` : `the installer failed (exit ${exit ?? '?'})`;
}

function bytesUnder(dir: string): number {
  let total = 0;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
    }
  } catch {
    // The downloader removes its folder when done; nothing to count then.
  }
  return total;
}

export function fetchElectron(opts: FetchOptions): Promise<FetchOutcome> {
  const refusal = fetchRefusal(opts.env);
  if (refusal) return Promise.resolve({ ok: false, reason: refusal });
  // The downloader writes into a temporary folder of its own; giving it one of ours
  // lets us show how much has arrived without touching its code.
  const tempDir = mkdtempSync(join(tmpdir(), 'relaychat-electron-fetch-'));
  const child = spawn(process.execPath, [join(opts.packageDir, 'install.js')], {
    env: installerEnv(opts.env, tempDir),
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (buf: Buffer) => {
    if (stderr.length < 64_000) stderr += buf.toString();
  });

  let lastShown = 0;
  const progress = setInterval(() => {
    const bytes = bytesUnder(tempDir);
    if (bytes === lastShown) return;
    lastShown = bytes;
    opts.progress(`${(bytes / 1_048_576).toFixed(1)} MB downloaded`);
  }, opts.progressEveryMs ?? 2_000);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  }, opts.timeoutMs);

  return new Promise((resolve) => {
    const finish = (outcome: FetchOutcome) => {
      clearInterval(progress);
      clearTimeout(timer);
      rmSync(tempDir, { recursive: true, force: true });
      resolve(outcome);
    };
    child.once('error', (err) => finish({ ok: false, reason: err.message }));
    child.once('close', (code, signal) => {
      if (timedOut) return finish({ ok: false, reason: `no complete download within ${Math.round(opts.timeoutMs / 1000)} s` });
      if (code === 0) return finish({ ok: true });
      finish({ ok: false, reason: reasonFrom(stderr, code, signal) });
    });
  });
}
