// Fault-injection building blocks: emits that bypass the typed wire (any event name,
// any arguments), checks that an ack is a proper refusal, raw HTTP, and a snapshot of
// everything one user can observe, to prove that bad input changed nothing.
import { expect } from 'vitest';
import { io } from 'socket.io-client';
import { ERROR_CODES, type Ack, type Chat, type ErrorCode, type Message } from '../../protocol/types';
import { ok, sleep, type TestSocket } from './clients';

type LooseEmitter = { emit(ev: string, ...args: unknown[]): void };
type Timed = { timeout(ms: number): LooseEmitter };

export type LooseAck = Ack<Record<string, unknown>>;

/** Emits any event with any arguments plus an ack; rejects if no ack comes in time. */
export function rawCall(socket: TestSocket, event: string, args: unknown[], timeoutMs = 5000): Promise<unknown> {
  const emitter = (socket as unknown as Timed).timeout(timeoutMs);
  return new Promise((resolve, reject) => emitter.emit(event, ...args, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res))));
}

/** Emits without an ack callback. */
export function rawEmit(socket: TestSocket, event: string, args: unknown[]): void {
  (socket as unknown as LooseEmitter).emit(event, ...args);
}

/** A refusal as docs/protocol.md shapes it, with a code from its list; null when it is not one. */
export function asWireError(res: unknown): { code: ErrorCode; message: string } | null {
  if (typeof res !== 'object' || res === null || (res as { ok?: unknown }).ok !== false) return null;
  const error = (res as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !(ERROR_CODES as readonly string[]).includes(code) || typeof message !== 'string') return null;
  return { code: code as ErrorCode, message };
}

export function expectRefusal(res: unknown, code: ErrorCode, what = ''): void {
  const err = asWireError(res);
  expect(err, `${what}: expected a ${code} refusal, got ${JSON.stringify(res)}`).not.toBeNull();
  expect(err!.code, `${what}: ${JSON.stringify(res)}`).toBe(code);
}

export interface RawResponse {
  status: number;
  text: string;
  json: unknown;
}

/** POSTs raw bytes or text with the given headers; never throws on a status. */
export async function httpPost(url: string, path: string, body: string | Uint8Array | undefined, headers: Record<string, string> = {}): Promise<RawResponse> {
  // copied into a plain ArrayBuffer-backed view: fetch's types take no shared buffers
  const payload = body instanceof Uint8Array ? new Uint8Array(body) : body;
  const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: payload });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

export async function healthz(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** Connect outcome without throwing: the socket, or the connect_error message. */
export function tryConnect(url: string, auth: Record<string, unknown>, timeoutMs = 5000): Promise<{ socket: TestSocket } | { error: string }> {
  const socket: TestSocket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve({ error: 'timeout' });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ socket });
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.close();
      resolve({ error: err.message });
    });
  });
}

/** Every page of a chat's history, ascending. */
export async function fullHistory(socket: TestSocket, chatId: string, after = 0): Promise<Message[]> {
  const all: Message[] = [];
  for (let page = 0; page < 1000; page++) {
    const h = await ok(socket, 'chat:history', { chatId, after, limit: 200 });
    all.push(...h.messages);
    if (!h.hasMore || h.messages.length === 0) return all;
    after = h.messages[h.messages.length - 1]!.seq;
  }
  throw new Error('history did not end within 1000 pages');
}

export interface Snapshot {
  chats: Chat[];
  histories: Record<string, Message[]>;
  friends: unknown;
  invites: unknown;
}

/** Everything a user can see: chats, every chat's history, friends and pending invites. */
export async function snapshot(socket: TestSocket): Promise<Snapshot> {
  const { chats } = await ok(socket, 'chat:list', {});
  const histories: Record<string, Message[]> = {};
  for (const c of chats) histories[c.id] = await fullHistory(socket, c.id);
  const { ok: _f, ...friends } = (await ok(socket, 'friends:list', {})) as unknown as { ok: true } & Record<string, unknown>;
  const { ok: _i, ...invites } = (await ok(socket, 'invite:list', {})) as unknown as { ok: true } & Record<string, unknown>;
  return { chats, histories, friends, invites };
}

/** Resolves once the socket is disconnected, with the reason; rejects after timeoutMs. */
export function disconnected(socket: TestSocket, timeoutMs = 5000): Promise<string> {
  if (!socket.connected) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket stayed connected')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Waits a little and returns what a recorder saw: for "nothing arrived" checks. */
export async function settled<T>(seen: T[], ms = 400): Promise<T[]> {
  await sleep(ms);
  return seen;
}
