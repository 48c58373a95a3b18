// Seeds a DATA_DIR through the store itself (relay/store/sqlite.ts), before the relay
// starts on it: far faster than a million chat:send calls or hundreds of scrypt
// logins, and it exercises the same tables the relay reads.
import { randomBytes, randomUUID, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import type { User } from '../protocol/types';
import { hashToken } from '../relay/accounts';
import { openSqliteStore } from '../relay/store/sqlite';
import type { NewMessage, Store, UserRecord } from '../relay/store/types';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export const BENCH_PASSWORD = 'bench-password';
const TOKEN_TTL_MS = 24 * 3600 * 1000;

export interface SeededUser {
  user: User;
  token: string;
}

/** One real scrypt hash (as relay/accounts.ts makes them), shared by every seeded user. */
async function passwordHash(): Promise<{ hash: string; salt: string }> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(BENCH_PASSWORD, salt, 64);
  return { hash: hash.toString('hex'), salt: salt.toString('hex') };
}

async function createUsers(store: Store, names: { username: string; displayName: string }[]): Promise<SeededUser[]> {
  const { hash, salt } = await passwordHash();
  const expiresAt = new Date(Date.now() + TOKEN_TTL_MS).toISOString();
  const out: SeededUser[] = [];
  for (const n of names) {
    const rec: UserRecord = { id: randomUUID(), username: n.username, displayName: n.displayName, createdAt: new Date().toISOString() };
    if (!(await store.createUser(rec, hash, salt))) throw new Error(`seed: username ${n.username} taken`);
    const token = randomBytes(32).toString('base64url');
    await store.createToken(hashToken(token), rec.id, expiresAt);
    out.push({ user: { id: rec.id, username: rec.username, displayName: rec.displayName }, token });
  }
  return out;
}

export interface LoadClient extends SeededUser {
  chatId: string;
}

/** `clients` users in group chats of `chatSize`, every pair in a group befriended. */
export async function seedLoad(dataDir: string, clients: number, chatSize: number): Promise<LoadClient[]> {
  const store = await openSqliteStore(dataDir);
  try {
    const users = await createUsers(
      store,
      Array.from({ length: clients }, (_, i) => ({ username: `bench_${i}`, displayName: `Bench ${i}` })),
    );
    const out: LoadClient[] = [];
    for (let g = 0; g * chatSize < clients; g++) {
      const group = users.slice(g * chatSize, (g + 1) * chatSize);
      for (let a = 0; a < group.length; a++) for (let b = a + 1; b < group.length; b++) await store.makeFriends(group[a]!.user.id, group[b]!.user.id);
      const chat = await store.createChat(
        { id: randomUUID(), kind: 'group', pairKey: null, createdAt: new Date().toISOString() },
        group.map((u) => u.user.id),
      );
      for (const u of group) out.push({ ...u, chatId: chat.id });
    }
    return out;
  } finally {
    await store.close();
  }
}

export interface HistoryChat {
  chatId: string;
  size: number;
  /** the other member, whose display name labels the chat in the UI */
  writer: User;
}

export interface HistorySeed {
  reader: SeededUser;
  chats: HistoryChat[];
  seedMs: number;
}

const BATCH = 10_000;

/**
 * A time-ordered id (the shape of a UUIDv7: 48-bit milliseconds first). Seeded ids and
 * client ids ascend with seq, so a million inserts append to the ends of the unique
 * indexes instead of landing at random pages of a cache-sized B-tree; the relay's own
 * ids are random, but no history query reads them.
 */
function orderedId(ms: number, n: number): string {
  const hex = ms.toString(16).padStart(12, '0') + (n & 0xfff).toString(16).padStart(4, '0') + randomBytes(8).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const historyChatLabel = (size: number): string => `History ${size >= 1_000_000 ? `${size / 1_000_000}M` : size >= 1000 ? `${size / 1000}k` : String(size)}`;

/**
 * One reader who is a member of a chat per size, each with a writer of its own;
 * messages alternate between the two, oldest first, ten seconds apart up to now.
 */
export async function seedHistory(dataDir: string, sizes: number[]): Promise<HistorySeed> {
  const started = performance.now();
  const store = await openSqliteStore(dataDir);
  try {
    const [reader, ...writers] = await createUsers(store, [
      { username: 'bench_reader', displayName: 'Bench Reader' },
      ...sizes.map((s) => ({ username: `bench_writer_${s}`, displayName: historyChatLabel(s) })),
    ]);
    const chats: HistoryChat[] = [];
    for (const [i, size] of sizes.entries()) {
      const writer = writers[i]!;
      await store.makeFriends(reader!.user.id, writer.user.id);
      const chat = await store.createChat({ id: randomUUID(), kind: 'group', pairKey: null, createdAt: new Date(Date.now() - size * 10_000).toISOString() }, [
        reader!.user.id,
        writer.user.id,
      ]);
      const t0 = Date.now() - size * 10_000;
      for (let start = 0; start < size; start += BATCH) {
        const batch: { msg: NewMessage; id: string }[] = [];
        for (let n = start; n < Math.min(size, start + BATCH); n++) {
          const from = n % 3 === 0 ? reader! : writer;
          const at = t0 + n * 10_000;
          batch.push({
            id: orderedId(at, n),
            msg: {
              chatId: chat.id,
              senderId: from.user.id,
              clientMsgId: `seed-${String(n).padStart(8, '0')}`,
              body: `message ${n + 1} of ${size}: the quick brown fox jumps over the lazy dog`,
              createdAt: new Date(at).toISOString(),
            },
          });
        }
        await store.appendMessages(batch);
      }
      chats.push({ chatId: chat.id, size, writer: writer.user });
    }
    return { reader: reader!, chats, seedMs: performance.now() - started };
  } finally {
    await store.close();
  }
}
