// `npm run bench [-- --quick] [-- --profile] [-- --no-renderer] [-- --relays N]`: the
// relay (or N relays joined through Redis) against a bare socket.io fan-out under the
// same load, chat:history at growing chat sizes, and the renderer on a 100,000-message
// chat. Prints tables, then one summary line.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchHistory, type HistoryReport } from './history';
import { runBareLoad, runLoad, targetOf, type LoadReport, type PhaseReport } from './load';
import type { ClientSpec } from './loadgen-protocol';
import { parseOptions, type BenchOptions } from './options';
import { summarizeProfile, type ProfileSummary } from './profile';
import { benchRenderer, type RendererReport } from './renderer';
import { startRedis, type BenchRedis } from './redis';
import { seedHistory, seedLoad, type LoadClient } from './seed';
import { startServer, type ServerProcess } from './server-process';
import { fmt } from './stats';
import { table } from './table';
import { webDir } from './web-build';
import { runMain } from './entry';
import { COST_TARGETS } from './cost-targets';

const log = (s: string) => console.log(s);

/** Relay settings for a benchmark: the per-user limits would otherwise cap the load itself. */
const RELAY_ENV = {
  LOG_LEVEL: 'warn',
  MONGODB_URI: '',
  SEND_RATE_PER_SECOND: '1000000',
  SEND_BURST: '1000000',
  EVENT_RATE_PER_SECOND: '1000000',
  // the history part asks for pages back to back, far above a person's 100 a second
  HISTORY_RATE_PER_SECOND: '1000000',
};

const durableName = (gapMs: number) => `bare + fdatasync${gapMs ? ` ${gapMs} ms apart` : ', no gap'}`;

async function loadBench(opts: BenchOptions, dir: string): Promise<Load> {
  const dataDir = join(dir, 'load');
  log(`load: seeding ${opts.clients} users in chats of ${opts.chatSize} through the store`);
  const seeded: LoadClient[] = await seedLoad(dataDir, opts.clients, opts.chatSize);
  const profDir = join(dir, 'cpuprof');
  // --relays N: N relays on the one DATA_DIR, joined through one redis-server (REDIS_URL)
  let redis: BenchRedis | undefined;
  const relays: ServerProcess[] = [];
  let relayReport: LoadReport;
  try {
    if (opts.relays > 1) {
      redis = await startRedis(join(dir, 'redis'));
      log(`load: ${opts.relays} relays on one DATA_DIR, joined through redis-server at ${redis.url}`);
    }
    for (let i = 0; i < opts.relays; i++) {
      relays.push(
        await startServer({
          name: opts.relays > 1 ? `relay ${i + 1}` : 'relay',
          script: 'relay/main.ts',
          env: { ...RELAY_ENV, DATA_DIR: dataDir, ...(redis ? { REDIS_URL: redis.url } : {}) },
          // with several relays only the first is profiled
          nodeArgs: opts.profile && i === 0 ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [],
          inspect: true,
        }),
      );
    }
    const specs: ClientSpec[] = seeded.map((c) => ({ userId: c.user.id, auth: { token: c.token }, chatId: c.chatId, sends: true }));
    const name = opts.relays > 1 ? `${opts.relays} relays + Redis` : 'relay';
    relayReport = await runLoad(targetOf(name, relays, redis), specs, opts, log);
  } finally {
    const codes = await Promise.all(relays.map((r) => r.stop()));
    codes.forEach((code, i) => {
      if (code !== 0) log(`  ${relays[i]!.name} exited with ${code}:\n${relays[i]!.output().slice(-2000)}`);
    });
    await redis?.stop();
  }
  let profile: ProfileSummary | undefined;
  if (opts.profile) {
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) profile = summarizeProfile(join(profDir, file));
    else log('  profile: the relay wrote no .cpuprofile');
  }

  const bareSpecs: ClientSpec[] = seeded.map((c) => ({ userId: c.user.id, auth: { userId: c.user.id, rooms: [c.chatId] }, chatId: c.chatId, sends: true }));
  const runBare = (name: string, env: Record<string, string>) => runBareLoad(name, env, bareSpecs, opts, log);
  const bare = await runBare('bare socket.io', {});
  // the same fan-out acknowledging only after an fdatasync (bare-journal.ts), on the same disk as the relay's store
  const durable: LoadReport[] = [];
  if (opts.durableBaseline) {
    for (const gap of opts.durableGapsMs) {
      durable.push(await runBare(durableName(gap), { BARE_JOURNAL: join(dir, `bare-journal-${gap}`), BARE_JOURNAL_GAP_MS: String(gap) }));
    }
  }
  return { relay: relayReport, bare, durable, profile };
}

async function historyAndRenderer(opts: BenchOptions, dir: string): Promise<{ history: HistoryReport[]; renderer: RendererReport; seedMs: number }> {
  const dataDir = join(dir, 'history');
  mkdirSync(dataDir, { recursive: true });
  const sizes = [...new Set([...opts.historySizes, ...(opts.skipRenderer ? [] : [opts.rendererChatSize])])].sort((a, b) => a - b);
  log(`history: seeding chats of ${sizes.join(', ')} messages through the store`);
  const seed = await seedHistory(dataDir, sizes);
  log(`  seeded ${sizes.reduce((a, b) => a + b, 0)} messages in ${(seed.seedMs / 1000).toFixed(1)} s`);
  const web = opts.skipRenderer ? { error: '--no-renderer' } : await webDir(dir);
  if ('built' in web && web.built) log('  web client built into the temp dir (dist/web does not exist)');
  const relay = await startServer({ name: 'relay', script: 'relay/main.ts', env: { ...RELAY_ENV, DATA_DIR: dataDir, ...('dir' in web ? { WEB_DIR: web.dir } : {}) } });
  try {
    const measured = seed.chats.filter((c) => opts.historySizes.includes(c.size));
    const history = await benchHistory(relay.url, seed.reader.token, measured, opts.historySamples);
    let renderer: RendererReport = { skipped: 'error' in web ? web.error : '' };
    if ('dir' in web) {
      const chat = seed.chats.find((c) => c.size === opts.rendererChatSize)!;
      log(`renderer: opening the ${chat.size}-message chat in Chromium`);
      try {
        renderer = await benchRenderer(relay.url, seed.reader, chat, opts.quick ? 3000 : 10_000);
      } catch (e) {
        renderer = { skipped: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
      }
    }
    return { history, renderer, seedMs: seed.seedMs };
  } finally {
    await relay.stop();
  }
}

const rate = (x: number) => fmt(x, 0);
const ms = (x: number) => fmt(x, 2);
const cpu = (p: PhaseReport) => `${fmt(p.serverCpuShare * 100, 0)} / ${fmt(p.serverCpuPerMessageUs, 0)}`;
const bytes = (p: PhaseReport) => fmt(p.serverWriteBytesPerMessage, 0);
const side = (p: PhaseReport) => (p.side ? `${fmt(p.side.cpuPerMessageUs, 0)} / ${fmt(p.side.writeBytesPerMessage, 0)}` : '-');
const errs = (p: PhaseReport) => Object.entries(p.errors).map(([k, v]) => `${k}:${v}`).join(' ') || '0';

function loadTable(opts: BenchOptions, { relay, bare, durable }: Load): string {
  const columns = [relay, bare, ...durable];
  const row = (name: string, f: (r: LoadReport) => string) => [name, ...columns.map(f)];
  const several = opts.relays > 1 ? ` (CPU, disk and RSS summed over the ${opts.relays} relays; Redis apart)` : '';
  const sideRows = relay.rate.side
    ? [row(`offered ${opts.offeredRate}/s: redis-server CPU µs / disk bytes per msg`, (r) => side(r.rate)), row('full speed: redis-server CPU µs / disk bytes per msg', (r) => side(r.max))]
    : [];
  return table(`load: ${opts.clients} clients in chats of ${opts.chatSize}, ${opts.loadgens} load generators at nice ${opts.loadgenNice}, ${opts.phaseMs / 1000} s per phase${several}`, [
    ['', ...columns.map((r) => r.target)],
    row('clients connected', (r) => `${r.connected}${r.failed ? ` (${r.failed} failed)` : ''}`),
    row(`RSS idle before / after, after a full GC (after, without), MiB`, (r) => `${fmt(r.rssBeforeKib / 1024)} / ${fmt(r.rssAfterKib / 1024)} (${fmt(r.rssAfterSoonKib / 1024)})`),
    row('memory per idle client, KiB', (r) => fmt(r.kibPerClient)),
    row(`offered ${opts.offeredRate}/s: acked msg/s`, (r) => rate(r.rate.ackedPerSecond)),
    row(`offered ${opts.offeredRate}/s: delivered/s`, (r) => rate(r.rate.deliveredPerSecond)),
    row(`offered ${opts.offeredRate}/s: delivery p50 ms`, (r) => ms(r.rate.latency.p50)),
    row(`offered ${opts.offeredRate}/s: delivery p99 ms`, (r) => ms(r.rate.latency.p99)),
    row(`offered ${opts.offeredRate}/s: delivery max ms`, (r) => ms(r.rate.latency.max)),
    row(`offered ${opts.offeredRate}/s: ack p50 / p99 ms`, (r) => `${ms(r.rate.ack.p50)} / ${ms(r.rate.ack.p99)}`),
    row(`offered ${opts.offeredRate}/s: errors / unacked`, (r) => `${errs(r.rate)} / ${r.rate.unacked}`),
    row(`offered ${opts.offeredRate}/s: backlog drained in, s`, (r) => fmt(r.rate.drainedMs / 1000)),
    row(`offered ${opts.offeredRate}/s: server CPU, % of a core / µs per msg`, (r) => cpu(r.rate)),
    row(`offered ${opts.offeredRate}/s: server disk writes, bytes per msg`, (r) => bytes(r.rate)),
    row(`full speed (${opts.window} in flight/sender): acked msg/s`, (r) => rate(r.max.ackedPerSecond)),
    row('full speed: delivered/s', (r) => rate(r.max.deliveredPerSecond)),
    row('full speed: delivery p50 / p99 ms', (r) => `${ms(r.max.latency.p50)} / ${ms(r.max.latency.p99)}`),
    row('full speed: ack p50 / p99 ms', (r) => `${ms(r.max.ack.p50)} / ${ms(r.max.ack.p99)}`),
    row('full speed: errors / unacked', (r) => `${errs(r.max)} / ${r.max.unacked}`),
    row('full speed: server CPU, % of a core / µs per msg', (r) => cpu(r.max)),
    row('full speed: server disk writes, bytes per msg', (r) => bytes(r.max)),
    ...sideRows,
    row('clients dropped by the server (after rate / full)', (r) => `${r.rate.disconnected} / ${r.max.disconnected}`),
  ]);
}

function historyTable(h: HistoryReport[]): string {
  return table('chat:history over the socket (limit 50), ms', [
    ['messages in chat', 'latest p50', 'latest p99', 'before p50', 'before p99', 'samples'],
    ...h.map((r) => [r.size.toLocaleString('en'), ms(r.latest.p50), ms(r.latest.p99), ms(r.before.p50), ms(r.before.p99), String(r.latest.n)]),
  ]);
}

function rendererTable(r: RendererReport): string {
  if ('skipped' in r) return `\nrenderer: skipped (${r.skipped})`;
  return table(`renderer: chat of ${r.chatSize.toLocaleString('en')} messages in Chromium`, [
    ['', 'value'],
    ['open -> message rows painted, ms', fmt(r.openToPaintMs)],
    ['message nodes after open', String(r.nodesAfterOpen)],
    ['DOM elements after open', String(r.domElementsAfterOpen)],
    ['older pages loaded while scrolling up', String(r.scrollPages)],
    ['stuck at top, wheel nudges needed', String(r.topNudges)],
    ['oldest message reached (1 = top)', String(r.oldestReached)],
    ['max message nodes while scrolling', String(r.maxNodesWhileScrolling)],
    ['back to bottom, ms', String(r.backToBottomMs)],
    ['message nodes back at bottom', String(r.nodesBackAtBottom)],
    ['JS heap, MiB', fmt(r.jsHeapMb)],
  ]);
}

/** `durable`: the second baselines, bare socket.io acknowledging after an fdatasync, one per gap (none with --no-durable-baseline). */
type Load = { relay: LoadReport; bare: LoadReport; durable: LoadReport[]; profile?: ProfileSummary };

function targetsTable(opts: BenchOptions, load: Load | undefined, history: HistoryReport[], renderer: RendererReport): string {
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  // a ratio or time that could not be measured (nothing acked) is neither met nor missed
  const judged = (x: number, ok: boolean) => (Number.isFinite(x) ? verdict(ok) : 'n/a');
  const rows = [['target', 'measured', '']];
  if (load) {
    const { relay, bare } = load;
    const ratio = relay.max.ackedPerSecond / bare.max.ackedPerSecond;
    rows.push(['acked throughput >= 0.5 x bare fan-out', `${fmt(ratio, 2)} x`, judged(ratio, ratio >= 0.5)]);
    rows.push([
      `p99 delivery <= 25 ms at ${opts.offeredRate.toLocaleString('en')} msg/s, ${opts.clients} clients`,
      `${ms(relay.rate.latency.p99)} ms`,
      judged(relay.rate.latency.p99, relay.rate.latency.p99 <= 25),
    ]);
  }
  const big = history[history.length - 1];
  if (big) {
    const worst = Math.max(big.latest.p50, big.before.p50);
    rows.push([`history page median <= 5 ms at ${big.size.toLocaleString('en')}`, `${ms(worst)} ms`, verdict(worst <= 5)]);
  }
  if ('skipped' in renderer) rows.push(['renderer 100k chat < 300 ms, < 500 nodes', 'skipped', '']);
  else {
    rows.push(['renderer: opens < 300 ms', `${fmt(renderer.openToPaintMs)} ms`, verdict(renderer.openToPaintMs < 300)]);
    const nodes = Math.max(renderer.nodesAfterOpen, renderer.maxNodesWhileScrolling, renderer.nodesBackAtBottom);
    rows.push(['renderer: < 500 message nodes', String(nodes), verdict(nodes < 500)]);
  }
  if (load) {
    const kb = (load.relay.kibPerClient * 1024) / 1000;
    rows.push(['relay memory <= 50 KB per idle client', `${fmt(kb)} KB`, verdict(kb <= 50)]);
  }
  return table('targets', rows);
}

/**
 * The targets of the relay-cost issue: the relay's cost per message against the bare
 * fan-out's, at the fixed offered rate unless said. Printed only; nothing fails on a miss.
 */
function costTargetsTable(opts: BenchOptions, { relay, bare }: Load): string {
  const verdict = (x: number, ok: boolean) => (Number.isFinite(x) ? (ok ? 'met' : 'MISSED') : 'n/a');
  const times = (a: number, b: number) => a / b;
  const at = `at ${opts.offeredRate.toLocaleString('en')} msg/s`;
  const cpuX = times(relay.rate.serverCpuPerMessageUs, bare.rate.serverCpuPerMessageUs);
  const disk = relay.rate.serverWriteBytesPerMessage;
  const p99X = times(relay.rate.latency.p99, bare.rate.latency.p99);
  const tputX = times(relay.max.ackedPerSecond, bare.max.ackedPerSecond);
  const memX = times(relay.kibPerClient, bare.kibPerClient);
  return table(`targets: relay cost per message (${relay.target} against ${bare.target})`, [
    ['target', 'measured', ''],
    [`CPU per message ${at} <= ${COST_TARGETS.cpuX} x bare's`, `${fmt(relay.rate.serverCpuPerMessageUs, 0)} / ${fmt(bare.rate.serverCpuPerMessageUs, 0)} µs = ${fmt(cpuX, 2)} x`, verdict(cpuX, cpuX <= COST_TARGETS.cpuX)],
    [`disk writes ${at} <= ${COST_TARGETS.bytes.toLocaleString('en')} bytes per acked message`, `${fmt(disk, 0)} bytes`, verdict(disk, disk <= COST_TARGETS.bytes)],
    [`p99 delivery ${at} <= ${COST_TARGETS.p99X} x bare's p99`, `${ms(relay.rate.latency.p99)} / ${ms(bare.rate.latency.p99)} ms = ${fmt(p99X, 2)} x`, verdict(p99X, p99X <= COST_TARGETS.p99X)],
    [`full-speed throughput >= ${COST_TARGETS.fullSpeedX} x bare`, `${rate(relay.max.ackedPerSecond)} / ${rate(bare.max.ackedPerSecond)} msg/s = ${fmt(tputX, 2)} x`, verdict(tputX, tputX >= COST_TARGETS.fullSpeedX)],
    [`memory per idle client within ${Math.round((COST_TARGETS.memoryX - 1) * 100)}% of bare's`, `${fmt(relay.kibPerClient)} / ${fmt(bare.kibPerClient)} KiB = ${fmt(memX, 2)} x`, verdict(memX, memX <= COST_TARGETS.memoryX)],
  ]);
}

/**
 * What acknowledging after a durable write costs by itself on this machine: each second
 * baseline (bare socket.io + one fdatasync per batch, nothing else) against the first,
 * and the relay against it. Figures only, no targets.
 */
function durableTables(opts: BenchOptions, { relay, bare, durable }: Load): string {
  const at = `at ${opts.offeredRate.toLocaleString('en')} msg/s`;
  const cpuOf = (r: LoadReport) => r.rate.serverCpuPerMessageUs;
  const x = (a: number, b: number) => `${fmt(a / b, 2)} x`;
  return durable
    .map((d) =>
      table(`ack after a durable write: ${d.target} against ${bare.target}, and ${relay.target} against ${d.target}`, [
        ['', `${d.target} / ${bare.target}`, `${relay.target} / ${d.target}`],
        [`CPU per message ${at}, µs`, `${fmt(cpuOf(d), 0)} / ${fmt(cpuOf(bare), 0)} = ${x(cpuOf(d), cpuOf(bare))}`, `${fmt(cpuOf(relay), 0)} / ${fmt(cpuOf(d), 0)} = ${x(cpuOf(relay), cpuOf(d))}`],
        [`disk writes ${at}, bytes per message`, `${bytes(d.rate)} / ${bytes(bare.rate)}`, `${bytes(relay.rate)} / ${bytes(d.rate)}`],
        [`p99 delivery ${at}, ms`, `${ms(d.rate.latency.p99)} / ${ms(bare.rate.latency.p99)} = ${x(d.rate.latency.p99, bare.rate.latency.p99)}`, `${ms(relay.rate.latency.p99)} / ${ms(d.rate.latency.p99)} = ${x(relay.rate.latency.p99, d.rate.latency.p99)}`],
        ['full-speed throughput, msg/s', `${rate(d.max.ackedPerSecond)} / ${rate(bare.max.ackedPerSecond)} = ${x(d.max.ackedPerSecond, bare.max.ackedPerSecond)}`, `${rate(relay.max.ackedPerSecond)} / ${rate(d.max.ackedPerSecond)} = ${x(relay.max.ackedPerSecond, d.max.ackedPerSecond)}`],
      ]),
    )
    .join('\n');
}

/**
 * The p99 that acknowledging after a durable write allows on this machine in this run:
 * the second baseline with the lowest p99 (usually the one with no gap), against bare
 * socket.io's and the target's 3x. When even that baseline is above 3x, the target was
 * out of reach in this run of a server that does nothing but the durable write (at the
 * gaps run here; `npm run bench:durable-gaps` tries more), not only of the relay.
 */
function durableFloorLine({ bare, durable }: Load): string {
  const best = durable.reduce<LoadReport | undefined>((a, d) => (!a || d.rate.latency.p99 < a.rate.latency.p99 ? d : a), undefined);
  if (!best) return '';
  const times = best.rate.latency.p99 / bare.rate.latency.p99;
  const verdict = times <= COST_TARGETS.p99X ? 'within' : 'above';
  return `\np99 floor of an ack after a durable write in this run: ${best.target}, ${ms(best.rate.latency.p99)} ms = ${fmt(times, 2)} x bare's, ${verdict} the target's ${COST_TARGETS.p99X} x`;
}

function profileTable(p: ProfileSummary): string {
  const busy = p.totalMs - p.idleMs;
  const rows = (list: ProfileSummary['functions']) => list.map((f) => [f.name, fmt(f.ms, 0), `${fmt(f.share * 100)}%`]);
  return [
    `\nrelay CPU profile: ${fmt(p.totalMs / 1000)} s sampled, ${fmt(busy / 1000)} s busy`,
    table('self time by area', [['area', 'ms', 'of busy'], ...rows(p.areas.slice(0, 12))]),
    table('self time by function', [['function', 'ms', 'of busy'], ...rows(p.functions)]),
  ].join('\n');
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = performance.now();
  // Other work on the machine takes cores from the relay and the load generators alike.
  const [load1] = loadavg();
  log(`bench: ${opts.quick ? 'quick' : 'full'} run${opts.relays > 1 ? `, ${opts.relays} relays` : ''}; load average ${fmt(load1!, 2)} on entry${load1! > 1 ? ' (other work is running: figures will be lower and noisier)' : ''}`);
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  try {
    const load = opts.skipLoad ? undefined : await loadBench(opts, dir);
    const { history, renderer } = await historyAndRenderer(opts, dir);
    if (load) log(loadTable(opts, load));
    log(historyTable(history));
    log(rendererTable(renderer));
    log(targetsTable(opts, load, history, renderer));
    if (load) log(costTargetsTable(opts, load));
    if (load?.durable.length) log(durableTables(opts, load) + durableFloorLine(load));
    if (load?.profile) log(profileTable(load.profile));
    log(`\n(${opts.quick ? 'quick' : 'full'} run, ${fmt((performance.now() - started) / 1000)} s, load average now ${fmt(loadavg()[0]!, 2)})`);
    if (load) {
      const { relay, bare } = load;
      const ratio = relay.max.ackedPerSecond / bare.max.ackedPerSecond;
      log(
        `bench: relay ${rate(relay.max.ackedPerSecond)} msg/s, bare socket.io ${rate(bare.max.ackedPerSecond)} msg/s, ratio ${fmt(ratio, 2)}, ` +
          `p99 ${ms(relay.rate.latency.p99)} ms (bare ${ms(bare.rate.latency.p99)} ms), ` +
          `cpu ${fmt(relay.rate.serverCpuPerMessageUs, 0)} us/msg (bare ${fmt(bare.rate.serverCpuPerMessageUs, 0)}), ` +
          `disk ${fmt(relay.rate.serverWriteBytesPerMessage, 0)} bytes/msg`,
      );
    } else log('bench: load part skipped (--no-load)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain(main);
