// Keeps the signed-in session (token, user, relay) across app restarts in the
// userData folder: encrypted with the OS keychain through safeStorage where it works,
// else a plain file readable only by the user, with a warning.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { User } from '../protocol/types';

/** The part of Electron's safeStorage we use. */
export interface SecretCodec {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(data: Buffer): string;
  /** Linux only: "basic_text" means a hard-coded key, i.e. no real protection. */
  getSelectedStorageBackend?(): string;
}

export interface StoredSession {
  relayUrl: string;
  token: string;
  user: User;
}

export const ENCRYPTED_FILE = 'session.enc';
export const PLAIN_FILE = 'session.json';

export class TokenStore {
  private warned = false;

  constructor(
    private readonly dir: string,
    private readonly codec: SecretCodec | null,
    private readonly warn: (message: string) => void,
  ) {}

  /** Whether tokens are written encrypted on this machine. */
  encrypts(): boolean {
    if (!this.codec) return false;
    try {
      if (!this.codec.isEncryptionAvailable()) return false;
      return this.codec.getSelectedStorageBackend?.() !== 'basic_text';
    } catch {
      return false;
    }
  }

  /** The kept session for `relayUrl`, or null (none, unreadable, or for another relay). */
  load(relayUrl: string): StoredSession | null {
    const session = this.read();
    return session && session.relayUrl === relayUrl ? session : null;
  }

  save(session: StoredSession): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const json = JSON.stringify(session);
    if (this.encrypts()) {
      this.writeAtomic(ENCRYPTED_FILE, this.codec!.encryptString(json));
      rmSync(join(this.dir, PLAIN_FILE), { force: true });
      return;
    }
    if (!this.warned) {
      this.warned = true;
      this.warn('safeStorage encryption is not available: the session token is kept unencrypted (mode 0600) in ' + join(this.dir, PLAIN_FILE));
    }
    this.writeAtomic(PLAIN_FILE, Buffer.from(json, 'utf8'));
    rmSync(join(this.dir, ENCRYPTED_FILE), { force: true });
  }

  clear(): void {
    rmSync(join(this.dir, ENCRYPTED_FILE), { force: true });
    rmSync(join(this.dir, PLAIN_FILE), { force: true });
  }

  private read(): StoredSession | null {
    const enc = join(this.dir, ENCRYPTED_FILE);
    if (existsSync(enc) && this.codec) {
      try {
        return parseSession(this.codec.decryptString(readFileSync(enc)));
      } catch {
        return null;
      }
    }
    const plain = join(this.dir, PLAIN_FILE);
    if (existsSync(plain)) {
      try {
        return parseSession(readFileSync(plain, 'utf8'));
      } catch {
        return null;
      }
    }
    return null;
  }

  private writeAtomic(name: string, data: Buffer): void {
    const file = join(this.dir, name);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
  }
}

function parseSession(text: string): StoredSession | null {
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const user = o.user as Record<string, unknown> | undefined;
  if (typeof o.relayUrl !== 'string' || typeof o.token !== 'string' || !o.token) return null;
  if (!user || typeof user.id !== 'string' || typeof user.username !== 'string' || typeof user.displayName !== 'string') return null;
  return { relayUrl: o.relayUrl, token: o.token, user: { id: user.id, username: user.username, displayName: user.displayName } };
}
