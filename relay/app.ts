// Wires the relay together: store, rules context, HTTP and sockets on one server.
import { createServer, type Server } from 'node:http';
import { Accounts } from './accounts';
import { newId, type RuleContext } from './chat/context';
import { MembershipCache } from './chat/membership';
import { UserDirectory } from './chat/users';
import type { Config } from './config';
import { createHttpApp } from './http';
import type { Logger } from './log';
import { Presence } from './presence';
import { SocketLayer } from './sockets';
import { openStore } from './store';

export interface Relay {
  server: Server;
  sockets: SocketLayer;
  /** Graceful stop: refuse new work, finish in-flight writes, close the store. */
  stop(): Promise<void>;
}

export async function createRelay(config: Config, log: Logger): Promise<Relay> {
  const store = await openStore(config);
  const presence = new Presence();
  const users = new UserDirectory(store);
  // SQLite has one writer, this process; with MongoDB other relays change membership too
  const membership = new MembershipCache(store, store.kind === 'sqlite' ? null : 1000);
  const ctx: RuleContext = { store, presence, users, membership, now: () => new Date(), newId, inviteTtlMs: config.INVITE_TTL_SECONDS * 1000 };
  const accounts = new Accounts(store, users, config.TOKEN_TTL_SECONDS * 1000);
  let accepting = true;
  let sockets: SocketLayer | undefined;
  const app = createHttpApp({
    accounts,
    store,
    log,
    webDir: config.WEB_DIR,
    loginAttempts: config.LOGIN_ATTEMPTS,
    onLogout: (token) => sockets?.disconnectToken(token),
    accepting: () => accepting,
  });
  const server = createServer(app);
  sockets = new SocketLayer(server, { ctx, accounts, presence, config, log });
  const layer = sockets;
  let stopping: Promise<void> | undefined;
  return {
    server,
    sockets: layer,
    stop() {
      stopping ??= (async () => {
        accepting = false;
        server.close();
        await layer.shutdown();
        server.closeAllConnections();
        await store.close();
      })();
      return stopping;
    },
  };
}
