// The baseline: a bare socket.io 4.8 server that only fans each message out to a
// room. No auth, no validation, no rate limit, no store; it answers the same event
// names and message shape as the relay so the same load generator drives both.
// Clients name their rooms in the handshake: `auth: { userId, rooms: [chatId] }`.
//
// With BARE_JOURNAL=<file> it is the second baseline, "bare + fdatasync": each message
// is delivered and acknowledged only once it is flushed to that file (bare-journal.ts),
// which is what acknowledging after a durable write costs on this machine at the least.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';
import { BareJournal } from './bare-journal';

interface BareSend {
  chatId: string;
  clientMsgId: string;
  body: string;
}

const http = createServer();
const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024, pingInterval: 10_000, pingTimeout: 10_000 });
const seqs = new Map<string, number>();
const journal = process.env.BARE_JOURNAL ? new BareJournal(process.env.BARE_JOURNAL, { gapMs: Number(process.env.BARE_JOURNAL_GAP_MS ?? 0) }) : null;

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { userId?: unknown; rooms?: unknown };
  const userId = typeof auth.userId === 'string' ? auth.userId : socket.id;
  const sender = { id: userId, username: userId, displayName: userId };
  if (Array.isArray(auth.rooms)) for (const r of auth.rooms) if (typeof r === 'string') void socket.join(r);
  socket.on('chat:send', (p: BareSend, ack?: (res: unknown) => void) => {
    const seq = (seqs.get(p.chatId) ?? 0) + 1;
    seqs.set(p.chatId, seq);
    const message = { id: randomUUID(), chatId: p.chatId, seq, sender, body: p.body, clientMsgId: p.clientMsgId, createdAt: new Date().toISOString() };
    const deliver = () => {
      io.to(p.chatId).emit('chat:message', { message });
      ack?.({ ok: true, message });
    };
    if (journal) journal.append(JSON.stringify(message), deliver);
    else deliver();
  });
});

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  console.log(`bare socket.io listening on http://127.0.0.1:${port}`);
});

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    io.close();
    journal?.close();
    http.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
