// `npm run relay`: reads the environment, starts the relay, prints the one line
// docs/protocol.md promises, and stops gracefully on SIGTERM/SIGINT.
import type { AddressInfo } from 'node:net';
import { createRelay } from './app';
import { loadConfig } from './config';
import { createLogger } from './log';
import { StartupRefused } from './startup-refused';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
const relay = await createRelay(config, log).catch((e: unknown) => {
  if (!(e instanceof StartupRefused)) throw e;
  console.error(`relay cannot start: ${e.message}`);
  process.exit(1);
});

relay.server.listen(config.PORT, config.HOST, () => {
  const { port } = relay.server.address() as AddressInfo;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  console.log(`relay listening on http://${host}:${port}`);
});
relay.server.on('error', (err: NodeJS.ErrnoException) => {
  // The one mistake everyone makes (a second relay, another app on 3000): said plainly.
  if (err.code === 'EADDRINUSE') console.error(`relay cannot start: port ${config.PORT} on ${config.HOST} is already in use; set PORT to a free port (PORT=0 picks one)`);
  else if (err.code === 'EACCES') console.error(`relay cannot start: not allowed to listen on port ${config.PORT} on ${config.HOST}; set PORT to another port`);
  else log.fatal({ err }, 'cannot listen');
  process.exit(1);
});

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    log.info({ sig }, 'shutting down');
    relay.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

// A bug in one handler must not take every user down with it; it is logged loudly.
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
