// Registration, login, logout and token checks. Passwords: scrypt with a per-user salt
// (on the hasher's own thread, password-hasher.ts), compared in constant time. Tokens:
// 32 random bytes; only their SHA-256 is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthResult, User } from '../protocol/types';
import type { Store } from './store/types';
import { RelayError } from './chat/errors';
import type { UserDirectory } from './chat/users';
import type { PasswordHasher } from './password-hasher';

const KEYLEN = 64;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

// Hashed with when the username is unknown, so a miss costs the same as a wrong password.
const DUMMY_SALT = randomBytes(16);

export class Accounts {
  constructor(
    private readonly store: Store,
    private readonly users: UserDirectory,
    private readonly tokenTtlMs: number,
    private readonly hasher: PasswordHasher,
  ) {}

  private hashPassword(password: string, salt: Buffer): Promise<Buffer> {
    return this.hasher.hash(password, salt, KEYLEN);
  }

  private async issueToken(user: User): Promise<AuthResult> {
    const token = randomBytes(32).toString('base64url');
    await this.store.createToken(hashToken(token), user.id, new Date(Date.now() + this.tokenTtlMs).toISOString());
    return { token, user };
  }

  /** null when the username is taken */
  async register(username: string, password: string, displayName: string | undefined, id: string): Promise<AuthResult | null> {
    const salt = randomBytes(16);
    const hash = await this.hashPassword(password, salt);
    const created = await this.store.createUser(
      { id, username, displayName: displayName ?? username, createdAt: new Date().toISOString() },
      hash.toString('hex'),
      salt.toString('hex'),
    );
    if (!created) return null;
    return this.issueToken(this.users.remember(created));
  }

  async login(username: string, password: string): Promise<AuthResult> {
    const cred = await this.store.getCredentials(username);
    if (!cred) {
      await this.hashPassword(password, DUMMY_SALT);
      throw new RelayError('unauthorized', 'wrong username or password');
    }
    const hash = await this.hashPassword(password, Buffer.from(cred.salt, 'hex'));
    if (!timingSafeEqual(hash, Buffer.from(cred.passwordHash, 'hex'))) throw new RelayError('unauthorized', 'wrong username or password');
    return this.issueToken(this.users.remember(cred.user));
  }

  /** The user a bearer token belongs to, or null if it is unknown, revoked or expired. */
  async authenticate(token: string): Promise<User | null> {
    const userId = await this.store.findToken(hashToken(token), new Date().toISOString());
    if (!userId) return null;
    const [user] = await this.users.many([userId]);
    return user ?? null;
  }

  async logout(token: string): Promise<boolean> {
    return this.store.deleteToken(hashToken(token));
  }
}
