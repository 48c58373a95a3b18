// `npm run bench:store`: the SQLite store's append path alone, without sockets, so a
// change to the write path can be measured apart from socket.io's share and from the
// load generators. Appends come the way the relay makes them (appendMessage, one call
// per chat:send, group-committed by the store) at a fixed offered rate over many chats,
// then as fast as a fixed number in flight allows. Prints CPU time and bytes written
// per message (this process, all threads: the store's flush and checkpointer threads
// too) and the time from appendMessage to durable. The driver's own CPU (timers, ids,
// promises: 35–38 µs a message at 2,000 msg/s on the 2-core VM) is measured first
// against no store at all and taken off, so "store" is the store's share alone.
//
//   npm run bench:store                        # 2,000 msg/s for 10 s, then full speed for 10 s
//   npm run bench:store -- --seconds 5 --runs 3
//   npm run bench:store -- --root ../other     # the store of another checkout (before/after)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AppendResult, NewMessage, Store } from '../relay/store/types';
import { readWriteBytes } from './server-process';
import { fmt, summarize } from './stats';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    chats: { type: 'string', default: '100' },
    inflight: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '1' },
    root: { type: 'string' },
  },
});
const seconds = Number(args.seconds);
const rate = Number(args.rate);
const chatCount = Number(args.chats);
const inflight = Number(args.inflight);
const root = resolve(args.root ?? join(import.meta.dirname, '..'));
const MEMBERS = 5;

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

interface Chat {
  id: string;
  members: string[];
}

async function seed(store: Store): Promise<Chat[]> {
  const chats: Chat[] = [];
  for (let c = 0; c < chatCount; c++) {
    const members = Array.from({ length: MEMBERS }, () => randomUUID());
    for (const id of members) await store.createUser({ id, username: `u${id.slice(0, 12)}`, displayName: 'U', createdAt: new Date().toISOString() }, 'h', 's');
    const chat = await store.createChat({ id: randomUUID(), kind: 'group', pairKey: null, createdAt: new Date().toISOString() }, members);
    chats.push({ id: chat.id, members });
  }
  return chats;
}

const body = 'x'.repeat(100);
/** What the driver needs of a store. */
type Appender = Pick<Store, 'appendMessage'>;

/** No store at all: every append is answered at once, so what is measured is the driver. */
function driverOnly(): Appender {
  let seq = 0;
  return {
    appendMessage: (msg: NewMessage, id: string): Promise<AppendResult> =>
      Promise.resolve({ message: { id, seq: ++seq, kind: 'text', ...msg }, duplicate: false }),
  };
}

let next = 0;
function send(store: Appender, chats: Chat[]): Promise<unknown> {
  const i = next++;
  const chat = chats[i % chats.length]!;
  const senderId = chat.members[Math.floor(i / chats.length) % MEMBERS]!;
  return store.appendMessage({ chatId: chat.id, senderId, body, clientMsgId: randomUUID(), createdAt: new Date().toISOString() }, randomUUID());
}

interface PhaseResult {
  messages: number;
  cpuUsPerMsg: number;
  bytesPerMsg: number;
  p50: number;
  p99: number;
  perSecond: number;
}

async function measure(run: (lat: number[]) => Promise<void>): Promise<PhaseResult> {
  const lat: number[] = [];
  const cpu0 = cpuUs();
  const io0 = readWriteBytes(process.pid);
  const t0 = performance.now();
  await run(lat);
  const wall = performance.now() - t0;
  const s = summarize(lat);
  return {
    messages: lat.length,
    cpuUsPerMsg: (cpuUs() - cpu0) / lat.length,
    bytesPerMsg: (readWriteBytes(process.pid) - io0) / lat.length,
    p50: s.p50,
    p99: s.p99,
    perSecond: (lat.length * 1000) / wall,
  };
}

/** Open loop: a 1 ms tick appends what the schedule owes, whether or not earlier ones are durable. */
function fixedRate(store: Appender, chats: Chat[]): (lat: number[]) => Promise<void> {
  return (lat) =>
    new Promise((done) => {
      const start = performance.now();
      const total = Math.round(rate * seconds);
      let sent = 0;
      const waits: Promise<unknown>[] = [];
      const tick = setInterval(() => {
        const owed = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
        for (; sent < owed; sent++) {
          const t = performance.now();
          waits.push(send(store, chats).then(() => lat.push(performance.now() - t)));
        }
        if (sent >= total) {
          clearInterval(tick);
          void Promise.all(waits).then(() => done());
        }
      }, 1);
    });
}

/** Closed loop: `inflight` appends outstanding at all times for the phase. */
function fullSpeed(store: Appender, chats: Chat[]): (lat: number[]) => Promise<void> {
  return async (lat) => {
    const end = performance.now() + seconds * 1000;
    const lane = async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await send(store, chats);
        lat.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: inflight }, lane));
  };
}

const line = (name: string, r: PhaseResult, driver?: PhaseResult) =>
  `${name.padEnd(16)} ${fmt(r.perSecond, 0).padStart(6)} msg/s  cpu ${fmt(r.cpuUsPerMsg, 0).padStart(4)} us/msg` +
  (driver ? ` (store ${fmt(r.cpuUsPerMsg - driver.cpuUsPerMsg, 0).padStart(4)})` : '') +
  `  disk ${fmt(r.bytesPerMsg, 0).padStart(6)} bytes/msg  durable p50 ${fmt(r.p50, 2)} ms p99 ${fmt(r.p99, 2)} ms`;

async function main(): Promise<void> {
  const { openSqliteStore } = (await import(join(root, 'relay/store/sqlite.ts'))) as typeof import('../relay/store/sqlite');
  console.log(`bench:store: ${root}, ${chatCount} chats, ${rate} msg/s and full speed (${inflight} in flight), ${seconds} s each; load average ${loadavg()[0]!.toFixed(2)}`);
  // The same chats' shape, with ids only: the driver does the same work per append.
  const fakeChats: Chat[] = Array.from({ length: chatCount }, () => ({ id: randomUUID(), members: Array.from({ length: MEMBERS }, () => randomUUID()) }));
  const alone = driverOnly();
  await measure(fixedRate(alone, fakeChats));
  const driver = await measure(fixedRate(alone, fakeChats));
  console.log(line(`driver ${rate}/s`, driver));
  for (let r = 0; r < Number(args.runs); r++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
    const store = await openSqliteStore(dir);
    try {
      const chats = await seed(store);
      // warm-up: page cache, JIT, a first checkpoint
      await measure(fixedRate(store, chats));
      const fixed = await measure(fixedRate(store, chats));
      console.log(line(`offered ${rate}/s`, fixed, driver));
      const full = await measure(fullSpeed(store, chats));
      console.log(line('full speed', full));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
