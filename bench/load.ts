// Drives one target (the relay, several relays joined through Redis, or the bare
// baseline) with forked load generators: connects every client, reads the target's
// memory before and after, then runs the fixed-rate phase and the full-speed phase.
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { ClientSpec, ConnectClient, FromLoadgen, PhaseResult, PhaseSpec, ToLoadgen } from './loadgen-protocol';
import type { BenchOptions } from './options';
import { ROOT, startServer, type ServerProcess } from './server-process';
import { summarize, type Summary } from './stats';

export interface PhaseReport {
  ackedPerSecond: number;
  deliveredPerSecond: number;
  latency: Summary;
  ack: Summary;
  errors: Record<string, number>;
  unacked: number;
  disconnected: number;
  /** the slowest generator's wait for its last ack after the window */
  drainedMs: number;
  /** the server's CPU time (all its threads) over the phase, as a share of one core */
  serverCpuShare: number;
  /** the server's CPU time over the phase divided by the messages it acked then, in µs */
  serverCpuPerMessageUs: number;
  /** bytes the server caused to be written to storage over the phase (write_bytes in /proc/<pid>/io), per message it acked then */
  serverWriteBytesPerMessage: number;
  /** the same two figures for a helper process counted apart from the server (Redis with --relays) */
  side?: { cpuPerMessageUs: number; writeBytesPerMessage: number };
}

/** A process whose CPU time and disk writes are read before and after each phase. */
export interface Metered {
  cpuMs(): number;
  writeBytes(): number;
}

/**
 * What the load generators drive: one server process or several (summed), each with a
 * URL of its own. Clients are dealt over the URLs member by member within each chat,
 * so with several relays the members of a chat sit on different relays.
 */
export interface LoadTarget extends Metered {
  name: string;
  urls: string[];
  rssKib(): number;
  /** a full garbage collection in every server process */
  collectGarbage(): Promise<void>;
  /** a helper (Redis) whose CPU and disk writes are reported apart from the server's */
  side?: Metered;
}

export function targetOf(name: string, servers: ServerProcess[], side?: Metered): LoadTarget {
  const sum = (f: (s: ServerProcess) => number) => servers.reduce((a, s) => a + f(s), 0);
  return {
    name,
    urls: servers.map((s) => s.url),
    rssKib: () => sum((s) => s.rssKib()),
    collectGarbage: async () => {
      await Promise.all(servers.map((s) => s.collectGarbage()));
    },
    cpuMs: () => sum((s) => s.cpuMs()),
    writeBytes: () => sum((s) => s.writeBytes()),
    side,
  };
}

export interface LoadReport {
  target: string;
  connected: number;
  failed: number;
  connectMs: number;
  rssBeforeKib: number;
  rssAfterKib: number;
  /** RSS 1 s after the last client connected, without a forced GC (how this bench read it before) */
  rssAfterSoonKib: number;
  kibPerClient: number;
  rate: PhaseReport;
  max: PhaseReport;
}

class Loadgen {
  private readonly waiters: ((m: FromLoadgen) => void)[] = [];
  readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(nice: number) {
    this.child = fork(join(ROOT, 'bench/loadgen.ts'), [], { execArgv: ['--import', 'tsx'], cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    // see BenchOptions.loadgenNice; raising niceness needs no privilege
    if (nice !== 0) setPriority(this.child.pid!, nice);
    this.exited = new Promise((res) => this.child.once('exit', () => res()));
    this.child.on('message', (m: FromLoadgen) => this.waiters.shift()?.(m));
    this.child.once('exit', (code) => {
      for (const w of this.waiters.splice(0)) w({ type: 'fatal', message: `load generator exited with ${code}` });
    });
  }

  request(msg: ToLoadgen, timeoutMs: number): Promise<FromLoadgen> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load generator did not answer ${msg.type} in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(timer);
        if (m.type === 'fatal') reject(new Error(m.message));
        else resolve(m);
      });
      this.child.send(msg);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.send({ type: 'close' } satisfies ToLoadgen);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

function asResult(m: FromLoadgen): PhaseResult {
  if (m.type !== 'result') throw new Error(`load generator answered ${m.type} instead of a result`);
  return m.result;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Usage {
  cpuMs: number;
  writeBytes: number;
}

const usage = (m: Metered): Usage => ({ cpuMs: m.cpuMs(), writeBytes: m.writeBytes() });
const since = (m: Metered, before: Usage): Usage => {
  const now = usage(m);
  return { cpuMs: now.cpuMs - before.cpuMs, writeBytes: now.writeBytes - before.writeBytes };
};

/**
 * Waits until the server has stopped writing to disk (write_bytes unchanged for
 * SETTLE_QUIET_MS), at most SETTLE_MAX_MS. A phase's disk bytes and CPU are counted up to
 * then, so that work a server defers past the last ack (SQLite's checkpoints, a log
 * applied to its tables later) is charged to the messages that caused it, and the next
 * phase starts from a quiet disk.
 */
const SETTLE_QUIET_MS = 3000;
const SETTLE_MAX_MS = 60_000;
const SETTLE_POLL_MS = 250;
async function settled(m: Metered): Promise<void> {
  const until = performance.now() + SETTLE_MAX_MS;
  let last = m.writeBytes();
  let quietSince = performance.now();
  while (performance.now() < until && performance.now() - quietSince < SETTLE_QUIET_MS) {
    await sleep(SETTLE_POLL_MS);
    const now = m.writeBytes();
    if (now !== last) quietSince = performance.now();
    last = now;
  }
}

function merge(results: PhaseResult[], server: Usage, wallMs: number, side: Usage | undefined): PhaseReport {
  const windowS = results[0]!.windowMs / 1000;
  const ackedInPhase = Math.max(1, results.reduce((s, r) => s + r.ackedInPhase, 0));
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  return {
    ackedPerSecond: results.reduce((s, r) => s + r.acked, 0) / windowS,
    deliveredPerSecond: results.reduce((s, r) => s + r.deliveries, 0) / windowS,
    latency: summarize(results.flatMap((r) => r.latencies)),
    ack: summarize(results.flatMap((r) => r.ackLatencies)),
    errors,
    unacked: results.reduce((s, r) => s + r.unacked, 0),
    disconnected: results.reduce((s, r) => s + r.disconnected, 0),
    drainedMs: Math.max(...results.map((r) => r.drainedMs)),
    serverCpuShare: server.cpuMs / wallMs,
    serverCpuPerMessageUs: (server.cpuMs * 1000) / ackedInPhase,
    serverWriteBytesPerMessage: server.writeBytes / ackedInPhase,
    side: side && { cpuPerMessageUs: (side.cpuMs * 1000) / ackedInPhase, writeBytesPerMessage: side.writeBytes / ackedInPhase },
  };
}

/**
 * Groups clients by chat and deals whole chats to the generators in turn; member j of
 * chat i connects to `urls[(i + j) % urls.length]`, so a chat's members are on
 * different servers and each server gets about as many clients as the others.
 */
function partition(clients: ClientSpec[], n: number, urls: string[]): ConnectClient[][] {
  const byChat = new Map<string, ClientSpec[]>();
  for (const c of clients) byChat.set(c.chatId, [...(byChat.get(c.chatId) ?? []), c]);
  const parts: ConnectClient[][] = Array.from({ length: n }, () => []);
  [...byChat.values()].forEach((chat, i) => parts[i % n]!.push(...chat.map((spec, j) => ({ spec, url: urls[(i + j) % urls.length]! }))));
  return parts;
}

/**
 * RSS after a full garbage collection: what the process holds, not the young
 * generation's garbage, which would otherwise be counted as the clients' (start-up and
 * the handshakes leave up to 32 MB of it, resident until V8 happens to shrink it).
 */
async function idleRssKib(target: LoadTarget): Promise<number> {
  await target.collectGarbage();
  await sleep(500);
  return target.rssKib();
}

export async function runLoad(target: LoadTarget, clients: ClientSpec[], opts: BenchOptions, log: (s: string) => void): Promise<LoadReport> {
  const parts = partition(clients, opts.loadgens, target.urls);
  const gens = parts.map(() => new Loadgen(opts.loadgenNice));
  try {
    await sleep(500);
    const rssBeforeKib = await idleRssKib(target);
    const started = performance.now();
    const readies = await Promise.all(gens.map((g, i) => g.request({ type: 'connect', clients: parts[i]! }, 120_000)));
    const connectMs = performance.now() - started;
    let connected = 0;
    let failed = 0;
    for (const r of readies) {
      if (r.type !== 'ready') throw new Error(`unexpected ${r.type}`);
      connected += r.connected;
      failed += r.failed;
      if (r.firstError) log(`  ${target.name}: a client could not connect: ${r.firstError}`);
    }
    if (connected === 0) throw new Error(`${target.name}: no client connected`);
    // let presence fan-out and handshakes settle before reading idle memory
    await sleep(1000);
    const rssAfterSoonKib = target.rssKib();
    const rssAfterKib = await idleRssKib(target);
    log(`  ${target.name}: ${connected} clients connected in ${(connectMs / 1000).toFixed(1)} s; RSS ${rssBeforeKib} -> ${rssAfterKib} KiB after a full GC (${rssAfterSoonKib} KiB before it)`);

    const phase = async (spec: PhaseSpec): Promise<PhaseReport> => {
      const serverBefore = usage(target);
      const sideBefore = target.side && usage(target.side);
      const started = performance.now();
      const results = await Promise.all(gens.map((g) => g.request({ type: 'run', phase: spec }, spec.warmupMs + spec.durationMs + spec.drainMs + 30_000)));
      const wallMs = performance.now() - started;
      await settled(target);
      const server = since(target, serverBefore);
      const side = target.side && sideBefore && since(target.side, sideBefore);
      return merge(results.map(asResult), server, wallMs, side);
    };
    // An unmeasured warm-up first (JIT, SQLite page cache, socket buffers), drained, so
    // the measured phases start from an empty queue rather than a start-up backlog.
    const perGen = opts.offeredRate / gens.length;
    await phase({ mode: 'rate', rate: perGen, warmupMs: opts.warmupMs, durationMs: 0, drainMs: opts.drainMs, bodyChars: opts.bodyChars });
    const common = { warmupMs: 500, durationMs: opts.phaseMs, drainMs: opts.drainMs, bodyChars: opts.bodyChars };
    const rate = await phase({ mode: 'rate', rate: perGen, ...common });
    log(`  ${target.name}: offered ${opts.offeredRate} msg/s -> acked ${rate.ackedPerSecond.toFixed(0)} msg/s, p99 ${rate.latency.p99.toFixed(1)} ms`);
    const max = await phase({ mode: 'max', window: opts.window, ...common });
    log(`  ${target.name}: full speed -> acked ${max.ackedPerSecond.toFixed(0)} msg/s`);
    return {
      target: target.name,
      connected,
      failed,
      connectMs,
      rssBeforeKib,
      rssAfterKib,
      rssAfterSoonKib,
      kibPerClient: (rssAfterKib - rssBeforeKib) / connected,
      rate,
      max,
    };
  } finally {
    await Promise.all(gens.map((g) => g.close()));
  }
}

/**
 * The load against a bare socket.io server (bare-server.ts) started for it with `env`
 * (BARE_JOURNAL for the second baseline), stopped after.
 */
export async function runBareLoad(name: string, env: Record<string, string>, clients: ClientSpec[], opts: BenchOptions, log: (s: string) => void): Promise<LoadReport> {
  const server = await startServer({ name, script: 'bench/bare-server.ts', env, inspect: true });
  try {
    return await runLoad(targetOf(name, [server]), clients, opts, log);
  } finally {
    await server.stop();
  }
}
