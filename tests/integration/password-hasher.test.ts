// The relay's password hashing thread: the same scrypt hashes as before (stored ones
// keep working), a cap on hashes waiting that refuses at once, and on Linux a lower
// priority than the event loop that acknowledges messages.
import { randomBytes, scryptSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HasherBusyError, PasswordHasher } from '../../relay/password-hasher';

const hashers: PasswordHasher[] = [];
afterEach(async () => {
  for (const h of hashers.splice(0)) await h.close();
});
function hasher(max: number): PasswordHasher {
  const h = new PasswordHasher(max);
  hashers.push(h);
  return h;
}

/** Nice values of this process's threads (field 19 of /proc/self/task/TID/stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((t) => Number(readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
}

describe('PasswordHasher', () => {
  it('gives the scrypt hash crypto.scrypt gives, so accounts made before still sign in', async () => {
    const salt = randomBytes(16);
    const key = await hasher(4).hash('correct horse', salt, 64);
    expect(key.equals(scryptSync('correct horse', salt, 64))).toBe(true);
  });

  it('refuses at once beyond its cap, and takes hashes again once they drain', async () => {
    const h = hasher(2);
    const salt = randomBytes(16);
    const first = [h.hash('a', salt, 64), h.hash('b', salt, 64)];
    await expect(h.hash('c', salt, 64)).rejects.toBeInstanceOf(HasherBusyError);
    await Promise.all(first);
    expect(h.inFlight()).toBe(0);
    await expect(h.hash('d', salt, 64)).resolves.toHaveLength(64);
  });

  it.skipIf(process.platform !== 'linux')('hashes on a thread that yields to the event loop (nice 10)', async () => {
    const before = threadNices().filter((n) => n === 10).length;
    await hasher(1).hash('x', randomBytes(16), 64);
    expect(threadNices().filter((n) => n === 10).length).toBe(before + 1);
  });
});
