// The test Redis itself (tests/helpers/redis-server.ts): it answers on loopback, keeps
// nothing across a restart on the same port (persistence off), and leaves no process
// or directory behind. Spoken to in raw RESP so this needs no client library.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';

/** Sends one inline command and returns the first reply line. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer to ${line}`));
    }, 5000);
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', (b) => {
      buf += b.toString();
      const end = buf.indexOf('\r\n');
      if (end < 0) return;
      // a bulk string: its length line, then the value
      if (buf.startsWith('$') && buf !== '$-1\r\n' && buf.indexOf('\r\n', end + 2) < 0) return;
      clearTimeout(timer);
      sock.end();
      resolve(buf.startsWith('$') && buf !== '$-1\r\n' ? buf.slice(end + 2, buf.indexOf('\r\n', end + 2)) : buf.slice(0, end));
    });
    sock.write(`${line}\r\n`);
  });
}

const servers: RedisServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.cleanup();
});

describe('test redis-server', () => {
  it('answers on loopback and comes back empty on the same port after a restart', async () => {
    const redis = await startRedisServer();
    servers.push(redis);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await command(redis.port, 'PING')).toBe('+PONG');
    expect(await command(redis.port, 'SET k v')).toBe('+OK');
    expect(await command(redis.port, 'GET k')).toBe('v');

    // a stop with the default configuration would write a snapshot and load it again
    await redis.stop();
    await expect(command(redis.port, 'PING')).rejects.toThrow();
    await redis.restart();
    expect(await command(redis.port, 'PING')).toBe('+PONG');
    expect(await command(redis.port, 'GET k')).toBe('$-1');

    await redis.kill();
    await redis.restart();
    expect(await command(redis.port, 'PING')).toBe('+PONG');

    await redis.cleanup();
    await expect(command(redis.port, 'PING')).rejects.toThrow();
    expect(existsSync(redis.dir)).toBe(false);
  });
});
