// A real Redis for tests: Debian's redis-server on a free loopback port, persistence
// off, its working files in a temporary directory. It can be stopped and started
// again on the same port, so a test can take Redis away from running relays and
// give it back at the address they were told.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Its working directory (removed by cleanup). */
  dir: string;
  /** Output so far, for diagnosing a failed test. */
  output(): string;
  /** Stops it (SIGTERM) and waits for the exit; the port stays this server's. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  restart(): Promise<void>;
  /** Stops it if running and removes its directory. */
  cleanup(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

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

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

function launch(port: number, dir: string, log: (s: string) => void): Promise<Running> {
  const child = spawn(
    'redis-server',
    // no RDB snapshots, no AOF: nothing a test leaves behind outlives the server
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start in ${READY_TIMEOUT_MS / 1000} s:\n${out}`));
    }, READY_TIMEOUT_MS);
    const onData = (b: Buffer) => {
      const s = b.toString();
      out += s;
      log(s);
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve({ child, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run redis-server (is it installed? apt-get install redis-server): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${out}`));
    });
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  let out = '';
  const log = (s: string) => void (out += s);
  let port = 0;
  let running: Running | null = null;
  // another process may take the free port between the pick and the bind: pick again
  for (let attempt = 0; running === null; attempt++) {
    port = await freePort();
    try {
      running = await launch(port, dir, log);
    } catch (e) {
      if (attempt >= 4 || !out.includes('Address already in use')) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  const signal = async (sig: NodeJS.Signals) => {
    const r = running;
    running = null;
    if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
    r.child.kill(sig);
    await r.exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    output: () => out,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    async restart() {
      await signal('SIGTERM');
      running = await launch(port, dir, log);
    },
    async cleanup() {
      await signal('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
