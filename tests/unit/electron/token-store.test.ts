import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENCRYPTED_FILE, PLAIN_FILE, TokenStore, type SecretCodec } from '../../../electron/token-store';

const dirs: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'token-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** safeStorage cannot run outside Electron; this reversible codec stands in for the OS keychain. */
class XorCodec implements SecretCodec {
  constructor(
    private readonly available = true,
    private readonly backend = 'gnome_libsecret',
  ) {}
  isEncryptionAvailable() {
    return this.available;
  }
  encryptString(plain: string) {
    return Buffer.from([...Buffer.from(plain, 'utf8')].map((b) => b ^ 0x5a));
  }
  decryptString(data: Buffer) {
    return Buffer.from([...data].map((b) => b ^ 0x5a)).toString('utf8');
  }
  getSelectedStorageBackend() {
    return this.backend;
  }
}

const session = {
  relayUrl: 'http://127.0.0.1:3000',
  token: 'secret-token-value',
  user: { id: 'u1', username: 'alice', displayName: 'Alice' },
};

describe('TokenStore', () => {
  it('keeps the session encrypted where safeStorage works, and reads it back', () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const store = new TokenStore(dir, new XorCodec(), (w) => warnings.push(w));
    store.save(session);
    expect(existsSync(join(dir, ENCRYPTED_FILE))).toBe(true);
    expect(existsSync(join(dir, PLAIN_FILE))).toBe(false);
    expect(readFileSync(join(dir, ENCRYPTED_FILE)).toString('utf8')).not.toContain('secret-token-value');
    expect(new TokenStore(dir, new XorCodec(), () => {}).load(session.relayUrl)).toEqual(session);
    expect(warnings).toEqual([]);
  });

  it('falls back to a plain 0600 file with one warning when encryption is unavailable', () => {
    for (const codec of [null, new XorCodec(false), new XorCodec(true, 'basic_text')]) {
      const dir = tempDir();
      const warnings: string[] = [];
      const store = new TokenStore(dir, codec, (w) => warnings.push(w));
      store.save(session);
      store.save({ ...session, token: 'second' });
      const file = join(dir, PLAIN_FILE);
      expect(JSON.parse(readFileSync(file, 'utf8')).token).toBe('second');
      if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('unencrypted');
      expect(store.load(session.relayUrl)?.token).toBe('second');
    }
  });

  it('ignores a session kept for another relay', () => {
    const dir = tempDir();
    const store = new TokenStore(dir, new XorCodec(), () => {});
    store.save(session);
    expect(store.load('https://relay.example.org')).toBeNull();
  });

  it('clear() forgets the session', () => {
    const dir = tempDir();
    const store = new TokenStore(dir, new XorCodec(), () => {});
    store.save(session);
    store.clear();
    expect(store.load(session.relayUrl)).toBeNull();
    expect(existsSync(join(dir, ENCRYPTED_FILE))).toBe(false);
  });

  it('treats damaged or foreign files as no session', () => {
    const dir = tempDir();
    writeFileSync(join(dir, PLAIN_FILE), '{not json');
    expect(new TokenStore(dir, null, () => {}).load(session.relayUrl)).toBeNull();
    writeFileSync(join(dir, PLAIN_FILE), JSON.stringify({ relayUrl: session.relayUrl, token: 5, user: session.user }));
    expect(new TokenStore(dir, null, () => {}).load(session.relayUrl)).toBeNull();
    writeFileSync(join(dir, ENCRYPTED_FILE), Buffer.from([1, 2, 3]));
    expect(new TokenStore(dir, new XorCodec(), () => {}).load(session.relayUrl)).toBeNull();
  });
});
