// `npm run bench:durable-gaps`: what acknowledging after a durable write allows on this
// machine, apart from the relay. Bare socket.io, then the second baseline (bare
// socket.io + one fdatasync per batch, bench/bare-journal.ts) once per gap between
// flushes, each under the main bench's load (500 clients in chats of 5, 2,000 msg/s).
// For each gap: the p99, CPU and bytes the relay-cost targets bound, against bare's.
// Why: a shorter gap lowers the wait for a flush but costs a flush's wake-ups and a
// page written more often; if no gap meets the three bounds at once for a server that
// does nothing but the durable write, no relay that also keeps an index can.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseOptions, takeWholeNumbers } from './options';
import { runBareLoad } from './load';
import type { ClientSpec } from './loadgen-protocol';
import { table } from './table';
import { runMain } from './entry';
import { COST_TARGETS } from './cost-targets';

const DEFAULT_GAPS = [0, 1, 2, 3, 5, 10];
const { p99X: P99_X, cpuX: CPU_X, bytes: BYTES } = COST_TARGETS;

async function main(): Promise<void> {
  const { value: gaps, rest } = takeWholeNumbers(process.argv.slice(2), '--gaps', 100, DEFAULT_GAPS);
  const opts = parseOptions(rest);
  const log = (s: string) => console.log(s);
  log(`bench:durable-gaps: ${opts.quick ? 'quick' : 'full'} run, gaps ${gaps.join(', ')} ms; load average ${loadavg()[0]!.toFixed(2)} on entry`);
  const dir = mkdtempSync(join(tmpdir(), 'durable-gaps-'));
  // the bare server takes its rooms from the handshake: no users or store to seed
  const specs: ClientSpec[] = Array.from({ length: opts.clients }, (_, i) => {
    const userId = randomUUID();
    const chatId = `chat-${Math.floor(i / opts.chatSize)}`;
    return { userId, auth: { userId, rooms: [chatId] }, chatId, sends: true };
  });
  const run = (name: string, env: Record<string, string>) => runBareLoad(name, env, specs, opts, log);
  try {
    const bare = await run('bare socket.io', {});
    const rows: string[][] = [];
    const fits: number[] = [];
    for (const gap of gaps) {
      const d = await run(`bare + fdatasync, gap ${gap} ms`, { BARE_JOURNAL: join(dir, `journal-${gap}`), BARE_JOURNAL_GAP_MS: String(gap) });
      const p99X = d.rate.latency.p99 / bare.rate.latency.p99;
      const cpuX = d.rate.serverCpuPerMessageUs / bare.rate.serverCpuPerMessageUs;
      const bytes = d.rate.serverWriteBytesPerMessage;
      const met = [p99X <= P99_X, cpuX <= CPU_X, bytes <= BYTES];
      if (met.every(Boolean)) fits.push(gap);
      rows.push([
        String(gap),
        `${d.rate.latency.p50.toFixed(2)} / ${d.rate.latency.p99.toFixed(2)} (${p99X.toFixed(2)} x)`,
        `${d.rate.serverCpuPerMessageUs.toFixed(0)} (${cpuX.toFixed(2)} x)`,
        bytes.toFixed(0),
        d.max.ackedPerSecond.toFixed(0),
        met.map((ok, i) => (ok ? ['p99', 'cpu', 'bytes'][i] : '-')).join(' '),
      ]);
    }
    log(
      table(`bare + fdatasync by gap between flushes, at ${opts.offeredRate.toLocaleString('en')} msg/s (bare socket.io: p99 ${bare.rate.latency.p99.toFixed(2)} ms, CPU ${bare.rate.serverCpuPerMessageUs.toFixed(0)} µs/msg, full speed ${bare.max.ackedPerSecond.toFixed(0)} msg/s)`, [
        ['gap ms', 'delivery p50 / p99 ms (x bare)', 'CPU µs/msg (x bare)', 'bytes/msg', 'full speed msg/s', `within p99 <= ${P99_X}x, CPU <= ${CPU_X}x, bytes <= ${BYTES}`],
        ...rows,
      ]),
    );
    log(`\nbench:durable-gaps: gaps at which the durable write alone is within all three bounds: ${fits.length ? fits.join(', ') : 'none'}; load average now ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain(main);
