// chat:history latency over a real socket: the latest page, and `before` pages at
// random depths, on chats of growing size. A flat median across sizes shows that a
// page costs an index range, not a scan.
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, HistoryPayload, HistoryResult, ServerToClientEvents } from '../protocol/types';
import type { HistoryChat } from './seed';
import { summarize, type Summary } from './stats';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface HistoryReport {
  size: number;
  latest: Summary;
  before: Summary;
}

function connect(url: string, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => {
      socket.close();
      reject(e);
    });
  });
}

function page(socket: ClientSocket, p: HistoryPayload): Promise<HistoryResult> {
  return new Promise((resolve, reject) => {
    socket.timeout(10_000).emit('chat:history', p, (err: Error | null, res: Ack<HistoryResult>) => {
      if (err) reject(err);
      else if (!res.ok) reject(new Error(`chat:history: ${res.error.code} ${res.error.message}`));
      else resolve(res);
    });
  });
}

/** A small deterministic generator, so every run asks for the same depths. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

async function timed(socket: ClientSocket, p: HistoryPayload, expect: number): Promise<number> {
  const t = performance.now();
  const res = await page(socket, p);
  const ms = performance.now() - t;
  if (res.messages.length !== expect) throw new Error(`chat:history returned ${res.messages.length} messages, expected ${expect}`);
  return ms;
}

export async function benchHistory(url: string, token: string, chats: HistoryChat[], samples: number, limit = 50): Promise<HistoryReport[]> {
  const socket = await connect(url, token);
  try {
    const out: HistoryReport[] = [];
    // Warm the relay's code paths once, so the first chat measured is not the cold one.
    if (chats[0]) for (let i = 0; i < 200; i++) await timed(socket, { chatId: chats[0].chatId, limit }, Math.min(limit, chats[0].size));
    for (const chat of chats) {
      const rnd = lcg(chat.size);
      const beforeSeq = () => limit + 1 + Math.floor(rnd() * (chat.size - limit));
      for (let i = 0; i < 20; i++) await timed(socket, { chatId: chat.chatId, limit }, limit);
      const latest: number[] = [];
      const before: number[] = [];
      // interleaved, so neither kind gets a warmer cache than the other
      for (let i = 0; i < samples; i++) {
        latest.push(await timed(socket, { chatId: chat.chatId, limit }, limit));
        before.push(await timed(socket, { chatId: chat.chatId, before: beforeSeq(), limit }, limit));
      }
      out.push({ size: chat.size, latest: summarize(latest), before: summarize(before) });
    }
    return out;
  } finally {
    socket.close();
  }
}
