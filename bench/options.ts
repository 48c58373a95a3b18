// What one bench run measures and how big: `--quick` keeps the whole run under a
// minute on 2 cores; the full run uses the sizes the targets are stated for.
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
}

const MAX_RELAYS = 8;

/** `--relays N` or `--relays=N`: the number, and the arguments without it. */
function takeRelays(argv: readonly string[]): { relays: number; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--relays') value = argv[++i] ?? '';
    else if (a.startsWith('--relays=')) value = a.slice('--relays='.length);
    else rest.push(a);
  }
  if (value === undefined) return { relays: 1, rest };
  const relays = Number(value);
  if (!Number.isInteger(relays) || relays < 1 || relays > MAX_RELAYS) throw new Error(`--relays wants a whole number from 1 to ${MAX_RELAYS}, not '${value}'`);
  return { relays, rest };
}

export function parseOptions(all: readonly string[]): BenchOptions {
  const { relays, rest: argv } = takeRelays(all);
  const known = new Set(['--quick', '--profile', '--no-renderer', '--no-load', '--same-priority']);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length) throw new Error(`unknown bench option(s): ${unknown.join(' ')} (known: ${[...known].join(' ')} --relays N)`);
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
  };
}
