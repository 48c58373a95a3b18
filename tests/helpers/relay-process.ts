// Starts a real relay as a child process on a loopback port with its own DATA_DIR,
// the way a user would (`npm run relay`), and waits for its "listening" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface RelayProcess {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Output so far, for diagnosing a failed test. */
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit (a crash). */
  kill(): Promise<void>;
  /** Removes the data dir (after stop/kill). */
  cleanup(): void;
}

const ROOT = resolve(import.meta.dirname, '../..');

export async function startRelay(opts: { env?: Record<string, string>; dataDir?: string; port?: number } = {}): Promise<RelayProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'relay-test-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'relay/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(opts.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      MONGODB_URI: '',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`relay did not start in 20 s:\n${out}`)), 20_000);
    const onData = (buf: Buffer) => {
      out += buf.toString();
      const m = /relay listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`relay exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
