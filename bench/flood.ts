// `npm run bench:flood`: how much a flood of cheap unauthenticated requests slows the
// acks of signed-in users. A relay on loopback; four users send 25 messages a second
// each and time every ack, first with nothing else going on, then while another
// process keeps 64 requests in flight of sign-ins and sign-ups with random usernames
// and health checks. Target: the flooded ack p50 at most 2x the quiet one.
//
//   --seconds N   length of each phase (default 10)
//   --lifted      per-address sign-in/sign-up limits lifted, so every request reaches
//                 password hashing (what the hash cap and the hashing thread must absorb)
//   --root DIR    run the relay of another checkout (a before/after comparison); the
//                 users are made over HTTP and socket.io, so any version will do
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { ROOT, startServer } from './server-process';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SECONDS = Number(option('--seconds') ?? 10);
const LIFTED = flag('--lifted');
const RELAY_ROOT = option('--root') ? resolve(option('--root')!) : ROOT;
const SENDERS = 4;
const SEND_INTERVAL_MS = 40;
const FLOOD_CONCURRENCY = 64;

const log = (line: string) => process.stdout.write(`${line}\n`);

type Ack = { ok: boolean; error?: { code: string } } & Record<string, unknown>;

function emit(socket: Socket, event: string, payload: unknown, timeoutMs = 30_000): Promise<Ack> {
  return new Promise((res, rej) => socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: Ack) => (err ? rej(err) : res(ack))));
}

async function post(url: string, path: string, body: unknown): Promise<{ token: string; user: { id: string; username: string } }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; user: { id: string; username: string } };
}

function connect(url: string, token: string): Promise<Socket> {
  const s = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((res, rej) => {
    s.once('connect', () => res(s));
    s.once('connect_error', rej);
  });
}

/** Pairs of users with a direct chat; the first of each pair sends. */
async function makeSenders(url: string): Promise<Array<{ socket: Socket; chatId: string; others: Socket[] }>> {
  const stamp = Date.now().toString(36).slice(-6);
  const out: Array<{ socket: Socket; chatId: string; others: Socket[] }> = [];
  for (let i = 0; i < SENDERS; i++) {
    const a = await post(url, '/api/register', { username: `fa${i}_${stamp}`, password: 'flood-bench-pw' });
    const b = await post(url, '/api/register', { username: `fb${i}_${stamp}`, password: 'flood-bench-pw' });
    const sa = await connect(url, a.token);
    const sb = await connect(url, b.token);
    await emit(sa, 'friends:request', { username: b.user.username });
    await emit(sb, 'friends:accept', { username: a.user.username });
    const inv = await emit(sa, 'invite:create', { to: b.user.username });
    const invite = inv.invite as { id: string } | undefined;
    if (!invite) throw new Error(`invite: ${JSON.stringify(inv)}`);
    const acc = await emit(sb, 'invite:accept', { inviteId: invite.id });
    const chat = acc.chat as { id: string } | undefined;
    if (!chat) throw new Error(`accept: ${JSON.stringify(acc)}`);
    out.push({ socket: sa, chatId: chat.id, others: [sb] });
  }
  return out;
}

/** Every sender sends on a fixed beat for `ms`; returns each ack's latency. */
async function sendPhase(senders: Array<{ socket: Socket; chatId: string }>, ms: number, tag: string): Promise<number[]> {
  const latencies: number[] = [];
  const until = Date.now() + ms;
  let n = 0;
  await Promise.all(
    senders.map(async ({ socket, chatId }, k) => {
      const inflight: Promise<void>[] = [];
      while (Date.now() < until) {
        const started = performance.now();
        const id = `${tag}-${k}-${n++}`;
        inflight.push(
          emit(socket, 'chat:send', { chatId, clientMsgId: id, body: `flood bench ${id}` }).then((ack) => {
            if (!ack.ok) throw new Error(`chat:send: ${JSON.stringify(ack.error)}`);
            latencies.push(performance.now() - started);
          }),
        );
        await new Promise((r) => setTimeout(r, SEND_INTERVAL_MS));
      }
      await Promise.all(inflight);
    }),
  );
  return latencies;
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

function flood(url: string, seconds: number): { done: Promise<Record<string, number>> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/flood-gen.ts'), url, String(seconds), String(FLOOD_CONCURRENCY)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  return {
    done: new Promise((res, rej) =>
      child.once('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number>) : rej(new Error(`flood-gen exited ${code}`)))),
    ),
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-flood-'));
  // The senders' own rate limit is not what is measured here.
  const env: Record<string, string> = { LOG_LEVEL: 'warn', MONGODB_URI: '', DATA_DIR: dataDir, SEND_RATE_PER_SECOND: '1000', SEND_BURST: '1000' };
  if (LIFTED) Object.assign(env, { LOGIN_ATTEMPTS_PER_ADDRESS: '1000000000', REGISTRATIONS_PER_ADDRESS: '1000000000', LOGIN_ATTEMPTS: '1000000000' });
  const relay = await startServer({ name: 'relay', script: 'relay/main.ts', env, root: RELAY_ROOT });
  const sockets: Socket[] = [];
  try {
    log(`flood: relay from ${RELAY_ROOT}${LIFTED ? ', per-address limits lifted' : ''}; ${SENDERS} senders at ${1000 / SEND_INTERVAL_MS}/s each, ${SECONDS} s per phase`);
    const senders = await makeSenders(relay.url);
    for (const s of senders) sockets.push(s.socket, ...s.others);
    await sendPhase(senders, 2000, 'warm');
    const quiet = await sendPhase(senders, SECONDS * 1000, 'quiet');
    const f = flood(relay.url, SECONDS);
    const flooded = await sendPhase(senders, SECONDS * 1000, 'flood');
    const statuses = await f.done;
    const q50 = pct(quiet, 50);
    const f50 = pct(flooded, 50);
    log(`  quiet:   ${quiet.length} acks, p50 ${q50.toFixed(2)} ms, p99 ${pct(quiet, 99).toFixed(2)} ms`);
    log(`  flooded: ${flooded.length} acks, p50 ${f50.toFixed(2)} ms, p99 ${pct(flooded, 99).toFixed(2)} ms`);
    log(`  flood requests: ${Object.entries(statuses).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
    log(`bench: flood ack p50 ${f50.toFixed(2)} ms vs quiet ${q50.toFixed(2)} ms, ratio ${(f50 / q50).toFixed(2)} (target <= 2)`);
  } finally {
    for (const s of sockets) s.close();
    await relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
