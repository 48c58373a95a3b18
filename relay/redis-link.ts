// The relay's connection to Redis (REDIS_URL): what joins it to the other relays.
// socket.io's streams adapter and the global presence both use this one client (the
// adapter opens its own extra connections for blocking reads and pub/sub).
import { createClient } from 'redis';
import type { Logger } from './log';
import { StartupRefused } from './startup-refused';

/** How long start-up waits for Redis before the relay gives up with one line. */
const CONNECT_TIMEOUT_MS = 10_000;

function newClient(url: string) {
  return createClient({
    url,
    // A lost connection is retried for as long as it takes: the relay keeps serving its
    // own sockets meanwhile, and joins the others again when Redis is back.
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
  });
}

export type RedisLink = ReturnType<typeof newClient>;

export async function connectRedis(url: string, log: Logger): Promise<RedisLink> {
  const client = newClient(url);
  // While Redis is away the client reports every failed reconnect; one line when the
  // link is lost and one when it is back are what an operator needs.
  let up = false;
  client.on('error', (err: unknown) => {
    if (!up) return;
    up = false;
    log.error({ err }, 'lost the connection to Redis; retrying');
  });
  client.on('ready', () => {
    if (up) return;
    up = true;
    log.info('connected to Redis');
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StartupRefused(`cannot reach Redis at REDIS_URL within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } catch (e) {
    client.destroy();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** How long a stopping relay lets Redis answer what is still in flight. */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * Closes the link, waiting for replies still due. With Redis unreachable those never
 * come (the client keeps them for a connection that, once closing, it no longer
 * makes), so after a moment the relay stops waiting and stops all the same.
 */
export async function closeRedis(client: RedisLink): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((res) => (timer = setTimeout(res, CLOSE_TIMEOUT_MS)));
  await Promise.race([client.close().catch(() => undefined), late]);
  clearTimeout(timer);
}
