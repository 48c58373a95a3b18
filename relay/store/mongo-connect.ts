// Connecting the MongoDB store: the client's time limits, and the checks that make the
// relay refuse to start (one line, no stack: StartupRefused) when the server cannot
// give it what the store relies on.
import { MongoClient, MongoServerSelectionError, WriteConcern, type MongoClientOptions } from 'mongodb';
import { StartupRefused } from '../startup-refused';

/** How long one store call may take unless MONGODB_TIMEOUT_MS says otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The time limit of one store call. openMongoStore's option wins; otherwise the
 * environment, since the store is opened from relay/store/index.ts with the URI only.
 */
export function timeoutMsFrom(option: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (option !== undefined) {
    if (!Number.isFinite(option) || option <= 0) throw new StartupRefused(`the MongoDB time limit must be a positive number of milliseconds, not ${option}`);
    // whole milliseconds: the driver's timeout options take unsigned integers
    return Math.ceil(option);
  }
  const raw = env.MONGODB_TIMEOUT_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new StartupRefused(`MONGODB_TIMEOUT_MS must be a positive number of milliseconds, not "${raw}"`);
  return Math.ceil(n);
}

/**
 * Acknowledged only once journaled on a majority: a crash after the ack loses nothing.
 * wtimeoutMS bounds the wait for the majority (a write not confirmed in time fails and
 * is not acknowledged to anyone).
 */
export function durableWriteConcern(timeoutMs: number): WriteConcern {
  return new WriteConcern('majority', timeoutMs, true);
}

/** Host list of the URI without user name or password, for messages. */
export function hostsOf(uri: string): string {
  const m = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*)/.exec(uri);
  return m && m[1] ? m[1] : 'the MongoDB server';
}

/** Option names given in the URI's query, lower-cased (the driver matches them so). */
function uriOptionNames(uri: string): Set<string> {
  const q = uri.indexOf('?');
  if (q < 0) return new Set();
  return new Set([...new URLSearchParams(uri.slice(q + 1)).keys()].map((k) => k.toLowerCase()));
}

/**
 * The client's options. The driver's `timeoutMS` (client-side operation timeout) is a
 * deprecated no-op from driver 7.8 on (it was withdrawn after a connection-pool
 * security issue), so the limit is made of the per-stage timeouts the driver still
 * honours, each no longer than one call's budget; the store also puts its own deadline
 * on every call (mongo.ts). An option written in the URI is left as the URI says:
 * the driver would let these object options override it.
 */
export function clientOptions(uri: string, timeoutMs: number): MongoClientOptions {
  const given = uriOptionNames(uri);
  const opts: MongoClientOptions = {
    writeConcern: durableWriteConcern(timeoutMs),
    // What a read returns has been acknowledged by a majority, so it survives a failover
    // and a relay never shows what another could lose (history, chats, invites).
    readConcern: { level: 'majority' },
  };
  const limit = (name: keyof MongoClientOptions & string, ms: number) => {
    if (!given.has(name.toLowerCase())) Object.assign(opts, { [name]: ms });
  };
  limit('serverSelectionTimeoutMS', timeoutMs);
  limit('waitQueueTimeoutMS', timeoutMs);
  limit('connectTimeoutMS', timeoutMs);
  // A backstop for a connection that stops answering: longer than a call's budget, since
  // creating indexes on start can take a while and a call that gave up (see mongo.ts)
  // still lets its command finish rather than cutting the connection under it.
  limit('socketTimeoutMS', Math.max(6 * timeoutMs, 60_000));
  return opts;
}

/** Connects, turning "no server answered" into a one-line refusal. */
export async function connectClient(uri: string, timeoutMs: number): Promise<MongoClient> {
  const client = new MongoClient(uri, clientOptions(uri, timeoutMs));
  try {
    await client.connect();
  } catch (err) {
    await client.close().catch(() => undefined);
    if (err instanceof MongoServerSelectionError) {
      throw new StartupRefused(`cannot reach MongoDB at ${hostsOf(uri)} (${oneLine(err.message)})`, { cause: err });
    }
    throw err;
  }
  return client;
}

/**
 * The store commits with multi-document transactions, which only a replica set (or a
 * sharded cluster behind mongos) has. A standalone server would fail every append.
 */
export async function requireReplicaSet(client: MongoClient, uri: string): Promise<void> {
  const hello = await client.db('admin').command({ hello: 1 });
  const setName: unknown = hello.setName;
  const isMongos = hello.msg === 'isdbgrid';
  if ((typeof setName === 'string' && setName !== '') || isMongos) return;
  throw new StartupRefused(`MONGODB_URI must name a replica set (transactions need one); ${hostsOf(uri)} is a standalone server`);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 300);
}
