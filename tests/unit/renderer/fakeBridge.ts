// A Bridge test double for rendering components without a relay: tests push server
// events into it and script request answers. Store logic that talks to the relay is
// covered against a real relay (bridge-stores.test.ts, tests/e2e).
import type { Ack, ClientEvent, ClientPayloads, ClientResults, Message, ServerEvent, ServerPayloads, User } from '../../../protocol/types';
import type { AuthOutcome, Bridge, ConnectionState, NotificationAction, OutgoingMessage, OutgoingUpdate } from '../../../renderer/bridge/types';

type Handler = (payload: never) => void;

export interface FakeBridge extends Bridge {
  emit<E extends ServerEvent>(event: E, payload: ServerPayloads[E]): void;
  /** What the connection reports after a reconnect's catch-up. */
  emitCatchUp(chatId: string, messages: Message[]): void;
  setState(state: ConnectionState): void;
  answer<E extends ClientEvent>(event: E, fn: (payload: ClientPayloads[E]) => Ack<ClientResults[E]>): void;
  requests: { event: ClientEvent; payload: unknown }[];
  badge: number | null;
}

export function createFakeBridge(opts: { user?: User; platform?: 'web' | 'electron' } = {}): FakeBridge {
  const handlers = new Map<string, Set<Handler>>();
  const answers = new Map<string, (payload: never) => unknown>();
  const stateCbs = new Set<(s: ConnectionState) => void>();
  const outgoingCbs = new Set<(u: OutgoingUpdate) => void>();
  const catchUpCbs = new Set<(chatId: string, m: Message[]) => void>();
  const actionCbs = new Set<(a: NotificationAction) => void>();
  const sub = <T>(set: Set<T>, cb: T) => {
    set.add(cb);
    return () => void set.delete(cb);
  };
  let n = 0;
  const auth = async (): Promise<AuthOutcome> =>
    opts.user ? { ok: true, user: opts.user } : { ok: false, error: { code: 'unauthorized', message: 'no' } };

  const bridge: FakeBridge = {
    platform: opts.platform ?? 'web',
    requests: [],
    badge: null,
    restoreSession: async () => opts.user ?? null,
    register: auth,
    login: auth,
    logout: async () => undefined,
    async request(event, payload) {
      bridge.requests.push({ event, payload });
      const fn = answers.get(event);
      if (fn) return fn(payload as never) as never;
      return { ok: true } as never;
    },
    on(event, cb) {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      return sub(set, cb as Handler);
    },
    onState: (cb) => sub(stateCbs, cb),
    async send(chatId, body) {
      const out: OutgoingMessage = { chatId, body, clientMsgId: `c${++n}`, createdAt: new Date().toISOString() };
      outgoingCbs.forEach((cb) => cb({ kind: 'queued', outgoing: out }));
      return out;
    },
    pending: async () => [],
    onOutgoing: (cb) => sub(outgoingCbs, cb),
    onCatchUp: (cb) => sub(catchUpCbs, cb),
    openChat: () => undefined,
    onNotificationAction: (cb) => sub(actionCbs, cb),
    setBadge(count) {
      bridge.badge = count;
    },
    setFocusedChat: () => undefined,
    emit(event, payload) {
      handlers.get(event)?.forEach((cb) => (cb as (p: typeof payload) => void)(payload));
    },
    emitCatchUp(chatId, messages) {
      catchUpCbs.forEach((cb) => cb(chatId, messages));
    },
    setState(state) {
      stateCbs.forEach((cb) => cb(state));
    },
    answer(event, fn) {
      answers.set(event, fn as (payload: never) => unknown);
    },
  };
  return bridge;
}
