// One real relay for the e2e run: the same process `npm run relay` starts, on a free
// loopback port with a throwaway data dir, serving dist/web. Workers are forked after
// this runs, so they inherit RELAY_URL.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startRelay } from '../helpers/relay-process';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const index = resolve(import.meta.dirname, '../../dist/web/index.html');
  if (!existsSync(index)) throw new Error('dist/web is missing: run `npm run build:web` (npm run test:e2e does)');
  const relay = await startRelay({ env: { WEB_DIR: resolve(import.meta.dirname, '../../dist/web') } });
  process.env.RELAY_URL = relay.url;
  return async () => {
    const code = await relay.stop();
    relay.cleanup();
    if (code !== 0) console.error(`relay exited with ${code}:\n${relay.output()}`);
  };
}
