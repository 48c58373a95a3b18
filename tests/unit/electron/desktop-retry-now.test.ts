// "Retry now" in the desktop app: the offline banner's button reaches the main
// process's one connection through the preload, and connects at once instead of
// waiting out the backoff. A real relay that goes away and comes back on its port.
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../renderer/bridge/types';
import { startRelay, type RelayProcess } from '../../helpers/relay-process';
import { createDesktop, loadPreload, until, type Desktop } from './desktop-harness';

const started: RelayProcess[] = [];
let desktop: Desktop | undefined;

afterAll(async () => {
  desktop?.dispose();
  for (const r of started) await r.stop().catch(() => undefined);
  started[0]?.cleanup();
});

describe('desktop app: Retry now', () => {
  it('while the relay is away the bridge offers it; once the relay is back it connects without waiting out the backoff', async () => {
    const first = await startRelay();
    started.push(first);
    desktop = createDesktop(first.url, loadPreload);
    const { bridge } = await desktop.mainWindow();
    expect(bridge.retryNow).toBeTypeOf('function');
    const states: ConnectionState[] = [];
    bridge.onState((s) => states.push(s));
    expect((await bridge.register(`retry_${process.pid}`, 'password123', 'Retry')).ok).toBe(true);
    await until('online', () => states.some((s) => s.status === 'online'));

    await first.stop();
    // Let the backoff grow until the next try is several seconds away.
    const waiting = await until(
      'a long backoff',
      () => states.findLast((s): s is Extract<ConnectionState, { status: 'reconnecting' }> => s.status === 'reconnecting' && s.retryInMs >= 8000),
      60_000,
    );
    // the backoff's own next try, which Retry now must beat
    const nextTry = Date.now() + waiting.retryInMs;
    const again = await startRelay({ port: first.port, dataDir: first.dataDir });
    started.push(again);

    const before = states.length;
    bridge.retryNow!();
    await until('online after Retry now', () => states.slice(before).some((s) => s.status === 'online'), nextTry - Date.now() - 500);
    expect(Date.now()).toBeLessThan(nextTry);
    expect((await bridge.request('chat:list', {})).ok).toBe(true);
  });
});
