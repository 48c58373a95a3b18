// Starts a server script (the relay, or the bare socket.io baseline) as its own Node
// process, the way `npm run relay` does, and waits for its "listening on" line. The
// child is node itself (no npm or tsx wrapper), so its pid is the one whose memory
// /proc reports.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { collectGarbage, inspectorUrl } from './inspector-gc';

export const ROOT = resolve(import.meta.dirname, '..');

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  /** Resident set size of the child, in KiB (VmRSS in /proc/<pid>/status). */
  rssKib(): number;
  /** CPU time the child has used so far, user and system, all threads, in ms. */
  cpuMs(): number;
  /** Bytes the child has caused to be written to storage so far, all threads (`write_bytes` in /proc/<pid>/io). */
  writeBytes(): number;
  /** A full garbage collection in the child, through its inspector (started with `inspect`). */
  collectGarbage(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface ServerSpec {
  name: string;
  /** script relative to the repository root */
  script: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  startTimeoutMs?: number;
  /** Another checkout to run the script from (a before/after comparison); default this one. */
  root?: string;
  /** Start with the inspector on a free loopback port, for collectGarbage. */
  inspect?: boolean;
}

export function readRssKib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** USER_HZ: 100 on every Linux that Node supports (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process (/proc/<pid>/stat fields 14 and 15), in ms. */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces: count fields from after its ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * `write_bytes` of /proc/<pid>/io: the bytes this process (all its threads, also those
 * that have exited) has caused to be sent to the storage layer. Linux counts a page of
 * the page cache when it goes from clean to dirty, whether or not it has reached the
 * disk yet; a page written again before it is flushed is not counted again. Pipes,
 * sockets and tmpfs count nothing.
 */
export function readWriteBytes(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const m = /^write_bytes:\s+(\d+)$/m.exec(io);
  if (!m) throw new Error(`no write_bytes for pid ${pid}`);
  return Number(m[1]);
}

export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const root = spec.root ?? ROOT;
  const inspect = spec.inspect ? ['--inspect=127.0.0.1:0'] : [];
  const child = spawn(process.execPath, [...inspect, ...(spec.nodeArgs ?? []), '--import', 'tsx', join(root, spec.script)], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = await new Promise<string>((res, rej) => {
    const timeoutMs = spec.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${spec.name} did not start in ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    child.stdout!.on('data', (buf: Buffer) => {
      out += buf.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child.stderr!.on('data', (buf: Buffer) => (out += buf.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`${spec.name} exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    name: spec.name,
    url,
    pid: child.pid!,
    child,
    output: () => out,
    rssKib: () => readRssKib(child.pid!),
    cpuMs: () => readCpuMs(child.pid!),
    writeBytes: () => readWriteBytes(child.pid!),
    async collectGarbage() {
      const url = inspectorUrl(out);
      if (!url) throw new Error(`${spec.name}: no inspector (start it with inspect: true)`);
      await collectGarbage(url);
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
