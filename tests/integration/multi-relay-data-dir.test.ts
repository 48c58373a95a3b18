// Who may share a DATA_DIR: a relay on its own keeps it to itself, and a second relay
// on it (on its own or joined through Redis) refuses to start with one clear line;
// relays joined through the same Redis share it, even when started at the same moment
// on a fresh DATA_DIR (the schema is created once).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { connect, ok, signUp } from '../helpers/clients';

const relays: RelayProcess[] = [];
const dirs: string[] = [];
let redis: RedisServer | undefined;
afterAll(async () => {
  for (const r of relays) await r.kill();
  await redis?.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const freshDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'relay-datadir-'));
  dirs.push(d);
  return d;
};

/** Starts a relay that is expected to refuse; returns everything it printed. */
async function refusal(dataDir: string, env: Record<string, string> = {}): Promise<string> {
  const err = await startRelay({ dataDir, env }).then(
    (r) => {
      relays.push(r);
      throw new Error('the relay started');
    },
    (e: unknown) => e as Error,
  );
  const m = /^relay exited with 1 before listening:\n([\s\S]*)$/.exec(err.message);
  if (!m) throw err;
  return m[1]!;
}

describe('DATA_DIR ownership', () => {
  it('a second relay on the same DATA_DIR refuses with one line, on its own or with REDIS_URL', async () => {
    redis = await startRedisServer();
    const dir = freshDir();
    const first = await startRelay({ dataDir: dir });
    relays.push(first);

    const alone = await refusal(dir);
    expect(alone.trim().split('\n')).toEqual([expect.stringMatching(/^relay cannot start: another relay is running on DATA_DIR .+ REDIS_URL$/)]);
    const joined = await refusal(dir, { REDIS_URL: redis.url });
    expect(joined.trim().split('\n')).toEqual([expect.stringMatching(/^relay cannot start: another relay uses DATA_DIR .+ on its own; .+REDIS_URL$/)]);

    // the refusals changed nothing: the first relay serves on
    const a = await signUp(first.url, 'a');
    await ok(a.socket, 'chat:list', {});
    a.socket.close();

    // once it has stopped (or crashed: the kernel drops the lock), the DATA_DIR is free
    await first.kill();
    const next = await startRelay({ dataDir: dir });
    relays.push(next);
    expect(await next.stop()).toBe(0);
  });

  it('relays with the same REDIS_URL started at once on a fresh DATA_DIR all serve it; a relay on its own is refused', async () => {
    redis ??= await startRedisServer();
    const url = redis.url;
    const dir = freshDir();
    // settled, not all: should one fail to start, the others are still stopped afterwards
    const starts = await Promise.allSettled([0, 1, 2].map(() => startRelay({ dataDir: dir, env: { REDIS_URL: url } })));
    const joined = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    relays.push(...joined);
    for (const s of starts) if (s.status === 'rejected') throw s.reason;

    // one schema, one set of users: registered on one relay, signed in on the others
    const a = await signUp(joined[0]!.url, 'a');
    for (const r of joined.slice(1)) {
      const s = await connect(r.url, a.token);
      await ok(s, 'chat:list', {});
      s.close();
    }
    a.socket.close();

    const alone = await refusal(dir);
    expect(alone.trim().split('\n')).toEqual([expect.stringMatching(/^relay cannot start: another relay is running on DATA_DIR/)]);
    for (const r of joined) expect(await r.stop()).toBe(0);
  });
});
