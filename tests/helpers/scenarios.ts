// Scenario building blocks for the relay's integration tests: raw emits for payloads
// the typed helpers refuse, error assertions, extra sockets per user, groups, and
// "nothing arrived" checks. Everything talks to a real relay over real sockets.
import { expect } from 'vitest';
import type { Ack, Chat, ErrorCode, Invite, ServerEvent, ServerPayloads } from '../../protocol/types';
import { befriend, call, connect, inviteAndAccept, ok, record, signUp, sleep, waitFor, type TestSocket, type TestUser } from './clients';

type LooseEmitter = { emit(ev: string, ...args: unknown[]): void };
type Timed = { timeout(ms: number): LooseEmitter };

/** Emits any event name with any arguments and an ack; resolves with the ack. */
export function rawCall(socket: TestSocket, event: string, ...args: unknown[]): Promise<Ack<Record<string, unknown>>> {
  const emitter = (socket as unknown as Timed).timeout(10_000);
  return new Promise((resolve, reject) =>
    emitter.emit(event, ...args, (err: Error | null, res: Ack<Record<string, unknown>>) => (err ? reject(err) : resolve(res))),
  );
}

/** Emits without an ack callback at all. */
export function rawEmit(socket: TestSocket, event: string, ...args: unknown[]): void {
  (socket as unknown as LooseEmitter).emit(event, ...args);
}

/** Asserts the ack is a refusal with this code; returns the error for further checks. */
export function expectError(res: Ack<object>, code: ErrorCode): { code: ErrorCode; message: string; chatId?: string } {
  expect(res.ok, `expected ${code}, got ${JSON.stringify(res)}`).toBe(false);
  if (res.ok) throw new Error('unreachable');
  expect(res.error.code).toBe(code);
  expect(typeof res.error.message).toBe('string');
  return res.error;
}

/** Another socket for an existing user (a second device). */
export async function anotherSocket(url: string, u: TestUser): Promise<TestSocket> {
  return connect(url, u.token);
}

/** Signs up n fresh users. */
export async function users(url: string, prefixes: string[]): Promise<TestUser[]> {
  const out: TestUser[] = [];
  for (const p of prefixes) out.push(await signUp(url, p));
  return out;
}

/** Closes every socket given (users or raw sockets). */
export function closeAll(...items: (TestUser | TestSocket)[]): void {
  for (const i of items) ('socket' in i ? i.socket : i).close();
}

/** Two fresh friends with an active direct chat. */
export async function directPair(url: string): Promise<{ a: TestUser; b: TestUser; chat: Chat }> {
  const [a, b] = await users(url, ['a', 'b']);
  await befriend(a!, b!);
  const chat = await inviteAndAccept(a!, b!);
  return { a: a!, b: b!, chat };
}

/**
 * A group of the given size: the first user befriends every other one, opens a
 * direct chat with the second, and forks it into a group by inviting the third;
 * later users are invited into the group. Every user's socket has seen the group by
 * the time this returns.
 */
export async function group(url: string, size: number): Promise<{ members: TestUser[]; chat: Chat; direct: Chat }> {
  const members = await users(
    url,
    Array.from({ length: size }, (_, i) => String.fromCharCode(97 + i)),
  );
  const [a, b, c] = members as [TestUser, TestUser, TestUser];
  for (const m of members.slice(1)) await befriend(a, m);
  const direct = await inviteAndAccept(a, b);
  const joined = members.slice(0, 3).map((m) => waitFor(m.socket, 'chat:joined', (p) => p.chat.kind === 'group'));
  const chat = await inviteAndAccept(a, c, direct.id);
  await Promise.all(joined);
  for (const m of members.slice(3)) {
    const j = waitFor(m.socket, 'chat:joined', (p) => p.chat.id === chat.id);
    await inviteAndAccept(a, m, chat.id);
    await j;
  }
  // as it is now: a fourth member's joining is an entry in the timeline (lastSeq moved)
  const now = (await ok(a.socket, 'chat:list', {})).chats.find((x) => x.id === chat.id)!;
  return { members, chat: now, direct };
}

/** Sends `n` messages one after another (awaiting each ack); returns them. */
export async function sendMany(u: TestUser, chatId: string, n: number, tag = 'm') {
  const sent = [];
  for (let i = 0; i < n; i++) sent.push((await ok(u.socket, 'chat:send', { chatId, clientMsgId: `${tag}${i}`, body: `${tag} ${i}` })).message);
  return sent;
}

/**
 * How long a check that something did NOT arrive waits: a loaded 2-core machine can
 * take hundreds of milliseconds to deliver what a broken relay would have sent.
 */
export const NOTHING_MORE_MS = 1000;

/**
 * Records an event on a socket; `settle` waits a while for stragglers and returns all
 * seen. Used to prove that something did NOT arrive (or arrived exactly once).
 */
export function watch<E extends ServerEvent>(socket: TestSocket, event: E): { seen: ServerPayloads[E][]; settle(ms?: number): Promise<ServerPayloads[E][]> } {
  const seen = record(socket, event);
  return {
    seen,
    async settle(ms = NOTHING_MORE_MS) {
      await sleep(ms);
      return seen;
    },
  };
}

/** Polls `cond` until true, at most `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** POSTs JSON (or a raw string) to the relay; returns status and parsed body. */
export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the raw text is what the test sees
  }
  return { status: res.status, body: parsed };
}

/** friends:list without the ack's ok flag, for whole-value comparisons. */
export async function friendsList(socket: TestSocket) {
  const { friends, incoming, outgoing } = await ok(socket, 'friends:list', {});
  return { friends, incoming, outgoing };
}

/** Ids of the chats in the caller's chat:list. */
export const chatIds = async (s: TestSocket): Promise<string[]> => (await ok(s, 'chat:list', {})).chats.map((c) => c.id);

/** Sorted ids, for comparing member sets regardless of order. */
export const ids = (us: { id: string }[]): string[] => us.map((u) => u.id).sort();

/** Every per-chat event a former member or stranger may send answers not_found. */
export async function expectChatHidden(s: TestSocket, chatId: string): Promise<void> {
  expectError(await call(s, 'chat:history', { chatId }), 'not_found');
  expectError(await call(s, 'chat:send', { chatId, clientMsgId: 'probe', body: 'hello?' }), 'not_found');
  expectError(await call(s, 'chat:typing', { chatId }), 'not_found');
  expectError(await call(s, 'chat:read', { chatId, seq: 1 }), 'not_found');
  expectError(await call(s, 'chat:leave', { chatId }), 'not_found');
  expect(await chatIds(s)).not.toContain(chatId);
}

/** `from` invites `to` (optionally into chatId); waits for `to` to receive it. */
export async function invite(from: TestUser, to: TestUser, chatId?: string): Promise<Invite> {
  const received = waitFor(to.socket, 'invite:received');
  const { invite: inv } = await ok(from.socket, 'invite:create', chatId ? { to: to.user.username, chatId } : { to: to.user.username });
  expect((await received).invite).toEqual(inv);
  return inv;
}

/** Both ends' next invite:closed for this invite. */
export function closedBoth(a: TestUser, b: TestUser, inviteId: string): Promise<ServerPayloads['invite:closed'][]> {
  return Promise.all([a, b].map((u) => waitFor(u.socket, 'invite:closed', (p) => p.inviteId === inviteId)));
}
