// Messages between bench/run.ts and its load generator processes (child_process IPC).

export interface ClientSpec {
  /** the user id; deliveries of this user's own messages are not latency samples */
  userId: string;
  /** socket.io handshake auth: `{ token }` for the relay, `{ userId, rooms }` for the baseline */
  auth: Record<string, unknown>;
  chatId: string;
  sends: boolean;
}

/** a client and the server it connects to (with --relays N, the members of a chat are spread over the relays) */
export interface ConnectClient {
  spec: ClientSpec;
  url: string;
}

export type PhaseSpec =
  /** open loop: this process sends `rate` messages a second, spread over its senders */
  | { mode: 'rate'; rate: number; warmupMs: number; durationMs: number; drainMs: number; bodyChars: number }
  /** closed loop: each sender keeps `window` messages unacknowledged */
  | { mode: 'max'; window: number; warmupMs: number; durationMs: number; drainMs: number; bodyChars: number };

export type ToLoadgen =
  | { type: 'connect'; clients: ConnectClient[] }
  | { type: 'run'; phase: PhaseSpec }
  | { type: 'close' };

export interface PhaseResult {
  /** sends emitted during the measured window */
  sent: number;
  /** ok acks received during the measured window (for any phase's sends) */
  acked: number;
  /** ok acks received from the start of the phase to the end of its drain */
  ackedInPhase: number;
  /** error acks by code, any time in the phase */
  errors: Record<string, number>;
  /** chat:message deliveries to members other than the sender, received during the window */
  deliveries: number;
  /** send-to-delivery latency of deliveries of messages sent in the window, ms */
  latencies: number[];
  /** send-to-ack latency of messages sent in the window, ms */
  ackLatencies: number[];
  /** sends still unacknowledged when the drain ended */
  unacked: number;
  /** clients the server has dropped since they connected (they stay down: no reconnection) */
  disconnected: number;
  /** how long after the window the last ack came (or the drain gave up) */
  drainedMs: number;
  windowMs: number;
}

export type FromLoadgen =
  | { type: 'ready'; connected: number; failed: number; firstError?: string; connectMs: number }
  | { type: 'result'; result: PhaseResult }
  | { type: 'closed' }
  | { type: 'fatal'; message: string };
