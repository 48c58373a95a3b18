// A load generator process (forked by bench/run.ts): holds many socket.io clients,
// sends chat:send at a fixed offered rate or at full speed, and times each delivery
// at the other members. Whole chats live in one process, so sender and receivers
// share one clock (performance.now()), carried in the message body.
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, Message, ServerToClientEvents } from '../protocol/types';
import { newClientMsgId } from '../client/client-msg-id';
import type { ClientSpec, ConnectClient, FromLoadgen, PhaseResult, PhaseSpec, ToLoadgen } from './loadgen-protocol';

type Client = { spec: ClientSpec; socket: Socket<ServerToClientEvents, ClientToServerEvents>; inflight: number };

const CONNECT_BATCH = 100;
const CONNECT_TIMEOUT_MS = 20_000;

let clients: Client[] = [];
// Process-wide tallies with their arrival times: a phase counts what the server
// completed during its window, also for messages an earlier phase sent, so a backlog
// carried over from an overloaded phase is not mistaken for idleness.
let okAcks = 0;
let deliveries = 0;
let outstanding = 0;
// A client dropped by the server (e.g. a missed heartbeat when the machine is starved)
// never gets its pending acks: counted, so such a run is recognisable.
let disconnects = 0;

function send(msg: FromLoadgen): void {
  process.send!(msg);
}

function connectOne(url: string, spec: ClientSpec): Promise<Client> {
  const socket: Client['socket'] = io(url, { auth: spec.auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: CONNECT_TIMEOUT_MS });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.on('disconnect', () => disconnects++);
      resolve({ spec, socket, inflight: 0 });
    });
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

async function connectAll(specs: ConnectClient[]): Promise<void> {
  const started = performance.now();
  let failed = 0;
  let firstError: string | undefined;
  for (let i = 0; i < specs.length; i += CONNECT_BATCH) {
    const batch = specs.slice(i, i + CONNECT_BATCH).map((s) => connectOne(s.url, s.spec));
    for (const r of await Promise.allSettled(batch)) {
      if (r.status === 'fulfilled') clients.push(r.value);
      else {
        failed++;
        firstError ??= r.reason instanceof Error ? r.reason.message : String(r.reason);
      }
    }
  }
  send({ type: 'ready', connected: clients.length, failed, firstError, connectMs: performance.now() - started });
}

/** Body: the send time, a separator, then padding up to `chars`. */
const makeBody = (t: number, chars: number): string => {
  const head = `${t.toFixed(3)}|`;
  return head + 'x'.repeat(Math.max(1, chars - head.length));
};
const sentAt = (body: string): number => Number(body.slice(0, body.indexOf('|')));

async function runPhase(phase: PhaseSpec): Promise<PhaseResult> {
  const t0 = performance.now();
  const windowStart = t0 + phase.warmupMs;
  const windowEnd = windowStart + phase.durationMs;
  const inWindow = (t: number) => t >= windowStart && t < windowEnd;
  const r: PhaseResult = { sent: 0, acked: 0, ackedInPhase: 0, errors: {}, deliveries: 0, latencies: [], ackLatencies: [], unacked: 0, disconnected: 0, drainedMs: 0, windowMs: phase.durationMs };
  let stopped = false;
  const senders = clients.filter((c) => c.spec.sends);
  const acksAtPhaseStart = okAcks;
  let acksAtStart = okAcks;
  let deliveriesAtStart = deliveries;
  const windowOpens = setTimeout(() => {
    acksAtStart = okAcks;
    deliveriesAtStart = deliveries;
  }, Math.max(0, windowStart - performance.now()));

  const onMessage = (c: Client) => ({ message }: { message: Message }) => {
    if (message.sender.id === c.spec.userId) return;
    deliveries++;
    const t = sentAt(message.body);
    if (inWindow(t)) r.latencies.push(performance.now() - t);
  };
  const listeners = clients.map((c) => {
    const fn = onMessage(c);
    c.socket.on('chat:message', fn);
    return () => c.socket.off('chat:message', fn);
  });

  const sendOne = (c: Client) => {
    const t = performance.now();
    const measured = inWindow(t);
    if (measured) r.sent++;
    outstanding++;
    c.inflight++;
    // made as the desktop and web clients make theirs: the relay's resend index sees what users send
    const clientMsgId = newClientMsgId();
    c.socket.emit('chat:send', { chatId: c.spec.chatId, clientMsgId, body: makeBody(t, phase.bodyChars) }, (res: Ack<{ message: Message }>) => {
      outstanding--;
      c.inflight--;
      if (res.ok) {
        okAcks++;
        if (measured) r.ackLatencies.push(performance.now() - t);
      } else r.errors[res.error.code] = (r.errors[res.error.code] ?? 0) + 1;
      if (phase.mode === 'max' && !stopped) sendOne(c);
    });
  };

  if (phase.mode === 'rate') {
    // Open loop: each tick sends what the schedule owes, round-robin over the senders,
    // so a slow relay does not slow the offered load down.
    let sentTotal = 0;
    let next = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        const now = performance.now();
        if (now >= windowEnd) return done();
        const due = Math.floor(((now - t0) * phase.rate) / 1000) - sentTotal;
        for (let k = 0; k < due && senders.length; k++) {
          sendOne(senders[next]!);
          next = (next + 1) % senders.length;
          sentTotal++;
        }
        setTimeout(tick, 1);
      };
      tick();
    });
  } else {
    for (const c of senders) for (let k = 0; k < phase.window; k++) sendOne(c);
    await new Promise((res) => setTimeout(res, windowEnd - performance.now()));
  }
  stopped = true;
  clearTimeout(windowOpens);
  r.acked = okAcks - acksAtStart;
  r.deliveries = deliveries - deliveriesAtStart;
  // Drain: bounded wait for acks and deliveries of what is still in flight.
  const drainEnd = performance.now() + phase.drainMs;
  while (outstanding > 0 && performance.now() < drainEnd) await new Promise((res) => setTimeout(res, 20));
  r.drainedMs = performance.now() - windowEnd;
  await new Promise((res) => setTimeout(res, Math.min(200, Math.max(0, drainEnd - performance.now()))));
  r.unacked = outstanding;
  r.ackedInPhase = okAcks - acksAtPhaseStart;
  r.disconnected = disconnects;
  for (const off of listeners) off();
  return r;
}

process.on('message', (raw: ToLoadgen) => {
  const msg = raw;
  if (msg.type === 'connect') {
    connectAll(msg.clients).catch((e: unknown) => send({ type: 'fatal', message: String(e) }));
  } else if (msg.type === 'run') {
    runPhase(msg.phase).then(
      (result) => send({ type: 'result', result }),
      (e: unknown) => send({ type: 'fatal', message: String(e) }),
    );
  } else if (msg.type === 'close') {
    for (const c of clients) c.socket.removeAllListeners('disconnect').close();
    clients = [];
    send({ type: 'closed' });
    process.disconnect?.();
    setTimeout(() => process.exit(0), 100);
  }
});

// The parent going away must not leave sockets behind.
process.on('disconnect', () => process.exit(0));
