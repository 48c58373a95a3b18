// What one bench run measures and how big: `--quick` keeps the whole run under a
// minute on 2 cores; the full run uses the sizes the targets are stated for.
import { COMMIT_INTERVAL_MS } from '../relay/store/sqlite';
export interface BenchOptions {
  quick: boolean;
  /** Spawn the load relay with --cpu-prof and print where its time goes. */
  profile: boolean;
  /** connected clients, split over the load generators */
  clients: number;
  /** members per chat */
  chatSize: number;
  loadgens: number;
  /**
   * Niceness of the load generators. They stand in for clients on other machines; on
   * one small machine they would otherwise take CPU from the server under test and
   * their own scheduling delays would be counted as the server's latency. Same for the
   * relay and the baseline. 0 with --same-priority.
   */
  loadgenNice: number;
  /** offered rate of the fixed-rate phase, messages per second over all senders */
  offeredRate: number;
  /** messages each sender keeps unacknowledged in the full-speed phase */
  window: number;
  warmupMs: number;
  phaseMs: number;
  bodyChars: number;
  /** chat sizes for the history page latency */
  historySizes: number[];
  historySamples: number;
  /** messages in the chat the renderer opens */
  rendererChatSize: number;
  skipRenderer: boolean;
  /** skip the relay-vs-baseline load part (to iterate on history and renderer) */
  skipLoad: boolean;
  /** upper bound on the wait for in-flight acks after each phase (it ends as soon as none are left) */
  drainMs: number;
  /**
   * Relay processes on the load side (`--relays N`): with more than one they share one
   * DATA_DIR and are joined through one redis-server, and each chat's members are spread
   * over them. The baseline stays one process.
   */
  relays: number;
  /**
   * Also run the second baseline, bare socket.io acknowledging after an fdatasync
   * (bench/bare-journal.ts); off with --no-durable-baseline.
   */
  durableBaseline: boolean;
  /**
   * `--durable-gap-ms N[,M...]`: one second baseline per gap, each starting a flush at
   * least that many ms after the previous one started. The default is the relay store's
   * COMMIT_INTERVAL_MS, for costs to set the relay's against, and 0 (a flush as soon as
   * the previous one ends), the least delay any ack-after-durable server gets here.
   */
  durableGapsMs: number[];
}

const MAX_RELAYS = 8;
const MAX_GAP_MS = 100;

/** The text of `--flag X` or `--flag=X` (the last given), and the arguments without it. */
function takeFlag(argv: readonly string[], flag: string): { text: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let text: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === flag) text = argv[++i] ?? '';
    else if (a.startsWith(`${flag}=`)) text = a.slice(flag.length + 1);
    else rest.push(a);
  }
  return { text, rest };
}

/** `--flag N` or `--flag=N`, a whole number from min to max: the number (or `fallback`), and the arguments without it. */
function takeWholeNumber(argv: readonly string[], flag: string, min: number, max: number, fallback: number): { value: number; rest: string[] } {
  const { text, rest } = takeFlag(argv, flag);
  if (text === undefined) return { value: fallback, rest };
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${flag} wants a whole number from ${min} to ${max}, not '${text}'`);
  return { value, rest };
}

/** `--flag N,M` or `--flag=N,M`: distinct whole numbers from 0 to max, in the order given (or `fallback`). */
export function takeWholeNumbers(argv: readonly string[], flag: string, max: number, fallback: number[]): { value: number[]; rest: string[] } {
  const { text, rest } = takeFlag(argv, flag);
  if (text === undefined) return { value: fallback, rest };
  const parts = text.split(',').map((t) => t.trim());
  const value = [...new Set(parts.map(Number))];
  if (parts.some((t) => !/^\d+$/.test(t)) || value.some((v) => v > max)) {
    throw new Error(`${flag} wants whole numbers from 0 to ${max}, separated by commas, not '${text}'`);
  }
  return { value, rest };
}

export function parseOptions(all: readonly string[]): BenchOptions {
  const { value: relays, rest: afterRelays } = takeWholeNumber(all, '--relays', 1, MAX_RELAYS, 1);
  const { value: durableGapsMs, rest: argv } = takeWholeNumbers(afterRelays, '--durable-gap-ms', MAX_GAP_MS, [COMMIT_INTERVAL_MS, 0]);
  const known = new Set(['--quick', '--profile', '--no-renderer', '--no-load', '--same-priority', '--no-durable-baseline']);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length) throw new Error(`unknown bench option(s): ${unknown.join(' ')} (known: ${[...known].join(' ')} --relays N --durable-gap-ms N[,M...])`);
  const quick = argv.includes('--quick');
  return {
    quick,
    profile: argv.includes('--profile'),
    clients: 500,
    chatSize: 5,
    loadgens: 2,
    loadgenNice: argv.includes('--same-priority') ? 0 : 10,
    offeredRate: 2000,
    window: 2,
    warmupMs: quick ? 1000 : 3000,
    phaseMs: quick ? 3000 : 20_000,
    drainMs: quick ? 10_000 : 60_000,
    bodyChars: 100,
    historySizes: quick ? [1_000, 10_000, 100_000] : [10_000, 100_000, 1_000_000],
    historySamples: quick ? 200 : 1000,
    rendererChatSize: 100_000,
    skipRenderer: argv.includes('--no-renderer'),
    skipLoad: argv.includes('--no-load'),
    relays,
    durableBaseline: !argv.includes('--no-durable-baseline'),
    durableGapsMs,
  };
}
