// One request over socket.io with an answer deadline. socket.io calls the ack with an
// error both on timeout and when the connection drops first; either way the relay's
// answer is unknown, which callers must treat differently from a refusal.
import type { Socket } from 'socket.io-client';
import type { Ack, ClientEvent, ClientPayloads, ClientResults, ClientToServerEvents, ServerToClientEvents } from '../protocol/types';

export type RelaySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type AckOutcome<E extends ClientEvent> = { kind: 'ack'; ack: Ack<ClientResults[E]> } | { kind: 'lost'; reason: string };

/** The one shape all our events share: a payload and an ack; socket.io's per-event typing cannot follow a generic E. */
interface UniformEmitter {
  emit(event: string, payload: unknown, cb: (err: Error | null, res: unknown) => void): void;
}

export function emitWithAck<E extends ClientEvent>(
  socket: RelaySocket,
  event: E,
  payload: ClientPayloads[E],
  timeoutMs: number,
): Promise<AckOutcome<E>> {
  // Emitting while disconnected would park the packet in socket.io's buffer and send it
  // on the next connection, long after the caller was told it failed.
  if (!socket.connected) return Promise.resolve({ kind: 'lost', reason: 'not connected' });
  const emitter = socket.timeout(timeoutMs) as unknown as UniformEmitter;
  return new Promise((resolve) => {
    emitter.emit(event, payload, (err, res) => {
      if (err) {
        resolve({ kind: 'lost', reason: err.message === 'operation has timed out' ? 'timed out' : err.message });
        return;
      }
      if (isAck(res)) resolve({ kind: 'ack', ack: res as Ack<ClientResults[E]> });
      else resolve({ kind: 'lost', reason: 'malformed answer from the relay' });
    });
  });
}

function isAck(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const ok = (v as { ok?: unknown }).ok;
  if (ok === true) return true;
  if (ok !== false) return false;
  const error = (v as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
