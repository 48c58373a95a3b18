// Finds a MongoDB for tests: MONGODB_URI when set, else a throwaway replica set of one
// from mongodb-memory-server, with a mongod binary it finds cached, or downloads only
// when asked (MONGOD_DOWNLOAD=1: about 100 MB, not something `npm test` should do
// unasked). Where neither works the caller skips its Mongo tests and prints the reason.
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';

export type MongoTarget =
  | { available: true; uri: string; source: string; stop(): Promise<void> }
  | { available: false; reason: string };

/** Long enough to start a cached mongod, short enough not to stall a run where none exists. */
const DEFAULT_START_TIMEOUT_MS = 20_000;

function startTimeoutMs(): number {
  const fromEnv = Number(process.env.MONGOMS_START_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_START_TIMEOUT_MS;
}

export async function findMongo(): Promise<MongoTarget> {
  const uri = process.env.MONGODB_URI;
  if (uri) return { available: true, uri, source: 'MONGODB_URI', stop: async () => {} };

  const askedToDownload = process.env.MONGOD_DOWNLOAD === '1';
  // mongodb-memory-server reads this when it looks for its binary
  if (!askedToDownload) process.env.MONGOMS_RUNTIME_DOWNLOAD = 'false';
  else console.warn('[mongo] downloading mongod for the MongoDB tests (MONGOD_DOWNLOAD=1)');
  const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
  // wiredTiger because the store writes with journal: true, which in-memory engines refuse.
  const replSet = new MongoMemoryReplSet({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
  // The library prints its own warning and stack when mongod cannot be had; the caller
  // prints one line with the reason instead, so that warning is held back here.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Starting the MongoMemory')) return;
    warn(...args);
  };
  const started = replSet.start();
  const timeoutMs = startTimeoutMs();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((res) => {
    timer = setTimeout(() => res('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([started.then(() => 'started' as const), timedOut]);
    if (outcome === 'timeout') {
      // Should it start later after all, do not leave a stray mongod behind.
      void started.then(
        () => replSet.stop(),
        () => undefined,
      );
      return {
        available: false,
        reason: `mongodb-memory-server did not start a replica set within ${timeoutMs} ms (set MONGOMS_START_TIMEOUT_MS to wait longer, or MONGODB_URI)`,
      };
    }
    return { available: true, uri: replSet.getUri(), source: 'mongodb-memory-server replica set', stop: async () => void (await replSet.stop()) };
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);
    const hint = askedToDownload ? '' : ' (no cached mongod; MONGOD_DOWNLOAD=1 lets it download one)';
    return { available: false, reason: `no MONGODB_URI and mongodb-memory-server could not start mongod${hint}: ${message}` };
  } finally {
    console.warn = warn;
    clearTimeout(timer);
  }
}

/** A database name unique to this run, so parallel test files never share data. */
export function randomDbName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export async function dropDatabases(uri: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const client = new MongoClient(uri);
  try {
    await client.connect();
    for (const name of names) await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}
