// Vitest only: several real relay processes joined through a real redis-server, all on
// one temporary DATA_DIR (SQLite shared by processes on one host), for the multi-relay
// suites. Everything is stopped and removed after the file's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from './redis-server';
import { startRelay, type RelayProcess } from './relay-process';

export interface RelayCluster {
  redis: RedisServer;
  relays: RelayProcess[];
  dataDir: string;
  /** Starts one more relay on the same DATA_DIR and Redis (stopped with the rest). */
  add(env?: Record<string, string>): Promise<RelayProcess>;
}

/** SIGTERM, and SIGKILL should the relay not be gone within 10 s. */
async function stopBounded(relay: RelayProcess): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((res) => (timer = setTimeout(() => res('late'), 10_000)));
  const outcome = await Promise.race([relay.stop(), late]);
  clearTimeout(timer);
  if (outcome === 'late') await relay.kill();
}

export function useRelayCluster(count: number, env: Record<string, string> = {}): RelayCluster {
  const cluster = { relays: [] as RelayProcess[] } as RelayCluster;
  beforeAll(async () => {
    cluster.dataDir = mkdtempSync(join(tmpdir(), 'relay-cluster-'));
    cluster.redis = await startRedisServer();
    cluster.add = async (extra = {}) => {
      const relay = await startRelay({ dataDir: cluster.dataDir, env: { REDIS_URL: cluster.redis.url, ...env, ...extra } });
      cluster.relays.push(relay);
      return relay;
    };
    for (let i = 0; i < count; i++) await cluster.add();
  });
  afterAll(async () => {
    await Promise.all(cluster.relays.map(stopBounded));
    await cluster.redis?.cleanup();
    if (cluster.dataDir) rmSync(cluster.dataDir, { recursive: true, force: true });
  });
  return cluster;
}
