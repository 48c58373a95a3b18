// One way to ask the relay: errors become a toast unless the caller handles them.
import type { Ack, ClientEvent, ClientPayloads, ClientResults, WireError } from '../../protocol/types';
import type { Bridge } from '../bridge/types';
import { describeError } from '../app/describeError';
import { useNoticesStore } from './notices';

export type RequestOutcome<E extends ClientEvent> = { ok: true; value: ClientResults[E] } | { ok: false; error: WireError };

export function useRelayRequest(bridge: Bridge) {
  const notices = useNoticesStore();

  /** `quiet` lets the caller show the error its own way (e.g. with an action button). */
  return async function request<E extends ClientEvent>(
    event: E,
    payload: ClientPayloads[E],
    opts: { quiet?: boolean } = {},
  ): Promise<RequestOutcome<E>> {
    let ack: Ack<ClientResults[E]>;
    try {
      ack = await bridge.request(event, payload);
    } catch (err) {
      const error: WireError = { code: 'internal', message: err instanceof Error ? err.message : String(err) };
      if (!opts.quiet) notices.error(`Could not reach the relay (${event}): ${error.message}`);
      return { ok: false, error };
    }
    if (ack.ok) return { ok: true, value: ack };
    if (!opts.quiet) notices.error(describeError(ack.error));
    return { ok: false, error: ack.error };
  };
}
