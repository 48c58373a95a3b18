// Vitest only: apart from relay-process.ts, which Playwright's setup imports too.
import { afterAll, beforeAll } from 'vitest';
import { startRelay, type RelayProcess } from './relay-process';

/**
 * One relay for a whole test file: started before its tests, stopped and its data
 * removed after them. The returned object is filled in once the relay is listening.
 */
export function useRelay(opts: Parameters<typeof startRelay>[0] = {}): RelayProcess {
  const relay = {} as RelayProcess;
  beforeAll(async () => {
    Object.assign(relay, await startRelay(opts));
  });
  afterAll(async () => {
    await relay.stop?.();
    relay.cleanup?.();
  });
  return relay;
}
