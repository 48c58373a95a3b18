// Wires the relay together: store, rules context, HTTP and sockets on one server.
import { createServer, type Server } from 'node:http';
import { Accounts } from './accounts';
import { newId, type RuleContext } from './chat/context';
import { MembershipCache } from './chat/membership';
import { UserDirectory } from './chat/users';
import type { Config } from './config';
import { startHousekeeping } from './housekeeping';
import { limiterFactory } from './limiters';
import { createHttpApp } from './http';
import { PasswordHasher } from './password-hasher';
import type { Logger } from './log';
import { Presence, type PresenceTracker } from './presence';
import { GlobalPresence } from './presence-global';
import { closeRedis, connectRedis, type RedisLink } from './redis-link';
import { SocketLayer } from './sockets';
import { openStore } from './store';
import type { WalDurability } from './store/sqlite';
import type { Store } from './store/types';

export interface Relay {
  server: Server;
  sockets: SocketLayer;
  /** Graceful stop: refuse new work, finish in-flight writes, close the store. */
  stop(): Promise<void>;
}

/** Where tests reach into a relay they run in-process; the relay itself sets none. */
export interface RelaySeams extends WalDurability {
  /** Wraps the store the rules use (a test slows one call down, say). */
  wrapStore?: (store: Store) => Store;
}

/** `seams`: tests hold or fail the store's WAL flush (store/sqlite.ts) or wrap the store. */
export async function createRelay(config: Config, log: Logger, seams: RelaySeams = {}): Promise<Relay> {
  const { wrapStore, ...durability } = seams;
  const redis: RedisLink | null = config.REDIS_URL ? await connectRedis(config.REDIS_URL, log) : null;
  const opened = await openStore(config, {
    // After a failed flush nothing may be acknowledged again (store/sqlite-wal-sync.ts).
    onFatal: (err) => {
      log.fatal({ err }, 'the WAL could not be flushed to disk; stopping so nothing more is acknowledged');
      process.exit(1);
    },
    ...durability,
  });
  const store = wrapStore ? wrapStore(opened) : opened;
  const housekeeping = startHousekeeping(store, log);
  let sockets: SocketLayer | undefined;
  const presence: PresenceTracker = redis ? await GlobalPresence.start(redis, (userId, online) => sockets?.announceEdge(userId, online), log) : new Presence();
  const users = new UserDirectory(store);
  const membership = new MembershipCache(store, membershipTtlMs(store.kind, redis !== null));
  const ctx: RuleContext = { store, presence, users, membership, now: () => new Date(), newId, inviteTtlMs: config.INVITE_TTL_SECONDS * 1000 };
  const hasher = new PasswordHasher(config.MAX_PASSWORD_HASHES);
  const accounts = new Accounts(store, users, config.TOKEN_TTL_SECONDS * 1000, hasher);
  let accepting = true;
  const app = createHttpApp({
    accounts,
    store,
    log,
    webDir: config.WEB_DIR,
    loginAttempts: config.LOGIN_ATTEMPTS,
    loginAttemptsPerAddress: config.LOGIN_ATTEMPTS_PER_ADDRESS,
    registrationsPerAddress: config.REGISTRATIONS_PER_ADDRESS,
    trustProxy: config.TRUST_PROXY,
    allowedOrigins: config.ALLOWED_ORIGINS,
    limiters: limiterFactory(redis),
    onLogout: (token) => sockets?.disconnectToken(token),
    accepting: () => accepting,
  });
  const server = createServer(app);
  sockets = new SocketLayer(server, { ctx, accounts, presence, redis, config, log });
  const layer = sockets;
  let stopping: Promise<void> | undefined;
  return {
    server,
    sockets: layer,
    stop() {
      stopping ??= (async () => {
        accepting = false;
        housekeeping.stop();
        server.close();
        await layer.shutdown();
        server.closeAllConnections();
        await store.close();
        await hasher.close();
        if (redis) await closeRedis(redis);
      })();
      return stopping;
    },
  };
}

/**
 * How long a cached member list is trusted. SQLite with one relay: forever, every change
 * goes through this process. SQLite shared by relays on one host: not at all, since
 * reading the file costs microseconds. MongoDB: a second (see chat/membership.ts).
 */
function membershipTtlMs(kind: 'sqlite' | 'mongo', joined: boolean): number | null {
  if (kind === 'sqlite') return joined ? 0 : null;
  return 1000;
}
