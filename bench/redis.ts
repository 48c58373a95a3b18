// Redis for `--relays N`: Debian's redis-server on a free loopback port, persistence
// off (`--save '' --appendonly no`), its working files in a directory of the bench's
// temp dir. Like tests/helpers/redis-server.ts, but it also gives the pid, so the bench
// can read the server's CPU time and disk writes.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { readCpuMs, readWriteBytes } from './server-process';

export interface BenchRedis {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  pid: number;
  cpuMs(): number;
  writeBytes(): number;
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const ATTEMPTS = 5;

/** A port nothing listens on right now (the OS's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function launch(port: number, dir: string): Promise<BenchRedis> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start in ${READY_TIMEOUT_MS / 1000} s:\n${out}`));
    }, READY_TIMEOUT_MS);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        const pid = child.pid!;
        resolve({
          url: `redis://127.0.0.1:${port}`,
          pid,
          cpuMs: () => readCpuMs(pid),
          writeBytes: () => readWriteBytes(pid),
          output: () => out,
          async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGTERM');
            const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
            await exited;
            clearTimeout(kill);
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run redis-server (apt-get install redis-server): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${out}`));
    });
  });
}

export async function startRedis(dir: string): Promise<BenchRedis> {
  mkdirSync(dir, { recursive: true });
  // another process may take the free port between the pick and the bind: pick again
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(port, dir);
    } catch (e) {
      if (attempt >= ATTEMPTS || !(e instanceof Error) || !e.message.includes('Address already in use')) throw e;
    }
  }
}
