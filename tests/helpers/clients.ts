// Real socket.io clients for tests: register over HTTP, connect with the token, call
// events with acks, and wait for server events.
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  AuthResult,
  ClientEvent,
  ClientPayloads,
  ClientResults,
  ClientToServerEvents,
  ServerEvent,
  ServerPayloads,
  ServerToClientEvents,
  User,
} from '../../protocol/types';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let counter = 0;
/** A username unique within this test run. */
export const uniqueName = (prefix = 'u'): string => `${prefix}${process.pid % 10000}_${Date.now() % 100000}_${counter++}`.slice(0, 32);

export async function register(url: string, username = uniqueName(), password = 'correct horse', displayName?: string): Promise<AuthResult> {
  const res = await fetch(`${url}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(displayName ? { username, password, displayName } : { username, password }),
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
  return (await res.json()) as AuthResult;
}

export function connect(url: string, token: string, opts: { reconnection?: boolean } = {}): Promise<TestSocket> {
  const socket: TestSocket = io(url, { auth: { token }, transports: ['websocket'], reconnection: opts.reconnection ?? false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export function call<E extends ClientEvent>(socket: TestSocket, event: E, payload: ClientPayloads[E], timeoutMs = 10_000): Promise<Ack<ClientResults[E]>> {
  // socket.io-client's typed emit cannot follow a generic event name; the shapes are
  // checked by ClientPayloads/ClientResults above.
  const emitter = socket.timeout(timeoutMs) as unknown as { emit(ev: string, p: unknown, cb: (err: Error | null, res: Ack<ClientResults[E]>) => void): void };
  return new Promise((resolve, reject) => emitter.emit(event, payload, (err, res) => (err ? reject(err) : resolve(res))));
}

/** Like call, but fails the test unless the ack is ok; returns the result. */
export async function ok<E extends ClientEvent>(socket: TestSocket, event: E, payload: ClientPayloads[E]): Promise<ClientResults[E]> {
  const res = await call(socket, event, payload);
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code} ${res.error.message}`);
  return res;
}

export function waitFor<E extends ServerEvent>(
  socket: TestSocket,
  event: E,
  pred: (p: ServerPayloads[E]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<ServerPayloads[E]> {
  const on = socket as unknown as { on(ev: string, cb: (p: ServerPayloads[E]) => void): void; off(ev: string, cb: (p: ServerPayloads[E]) => void): void };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      on.off(event, handler);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const handler = (p: ServerPayloads[E]) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      on.off(event, handler);
      resolve(p);
    };
    on.on(event, handler);
  });
}

/** Records every payload of an event from now on. */
export function record<E extends ServerEvent>(socket: TestSocket, event: E): ServerPayloads[E][] {
  const seen: ServerPayloads[E][] = [];
  (socket as unknown as { on(ev: string, cb: (p: ServerPayloads[E]) => void): void }).on(event, (p) => seen.push(p));
  return seen;
}

export interface TestUser {
  user: User;
  token: string;
  socket: TestSocket;
}

/** Registers and connects a user. */
export async function signUp(url: string, prefix = 'u'): Promise<TestUser> {
  const auth = await register(url, uniqueName(prefix));
  return { user: auth.user, token: auth.token, socket: await connect(url, auth.token) };
}

export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  await ok(a.socket, 'friends:request', { username: b.user.username });
  await ok(b.socket, 'friends:accept', { username: a.user.username });
}

/** a invites b (optionally into chatId), b accepts; returns the chat b got. */
export async function inviteAndAccept(a: TestUser, b: TestUser, chatId?: string) {
  const received = waitFor(b.socket, 'invite:received');
  const { invite } = await ok(a.socket, 'invite:create', chatId ? { to: b.user.username, chatId } : { to: b.user.username });
  await received;
  const { chat } = await ok(b.socket, 'invite:accept', { inviteId: invite.id });
  return chat;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
