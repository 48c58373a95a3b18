// IPC handlers of the main process. Every handler first checks who is calling: the
// frame must be a page of our renderer and its webContents one of our windows;
// anything else is refused before a single argument is looked at.
import type { Ack, ClientEvent, ClientPayloads, ClientResults, User } from '../protocol/types';
import type { AuthOutcome, ConnectionState, OutgoingMessage } from '../renderer/bridge/types';
import { INVOKE, SEND, isClientEvent } from './preload-api';
import type { WindowRole } from './windows';

/** The part of an Electron IPC event we read. senderFrame is null once the frame is gone. */
export interface IpcSenderEvent {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

/** The part of Electron's ipcMain we use. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => void): void;
}

export interface IpcSession {
  restore(): Promise<User | null>;
  register(username: string, password: string, displayName?: string): Promise<AuthOutcome>;
  login(username: string, password: string): Promise<AuthOutcome>;
  logout(): Promise<void>;
  state(): ConnectionState;
  /** While reconnecting: connect now, the backoff reset. */
  retryNow(): void;
  request<E extends ClientEvent>(event: E, payload: ClientPayloads[E]): Promise<Ack<ClientResults[E]>>;
  send(chatId: string, body: string): Promise<OutgoingMessage>;
  pending(chatId: string): Promise<OutgoingMessage[]>;
}

export interface IpcDeps {
  session: IpcSession;
  isRendererUrl(url: string): boolean;
  roleOf(contentsId: number): WindowRole | undefined;
  openChat(chatId: string): void;
  setViewing(contentsId: number, chatId: string | null): void;
  /** Refused calls are logged, never answered with details. */
  log(message: string): void;
}

export class ForbiddenSenderError extends Error {
  constructor() {
    super('forbidden sender');
  }
}

/** The one sender check every handler runs. */
export function isTrustedSender(event: IpcSenderEvent, deps: Pick<IpcDeps, 'isRendererUrl' | 'roleOf'>): boolean {
  const frame = event.senderFrame;
  if (!frame || !deps.isRendererUrl(frame.url)) return false;
  return deps.roleOf(event.sender.id) !== undefined;
}

const ID_MAX = 128;

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= ID_MAX;
}

function isShortString(v: unknown, max = 4096): v is string {
  return typeof v === 'string' && v.length <= max;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(what: string): never {
  throw new TypeError(`bad arguments: ${what}`);
}

export function registerIpcHandlers(ipc: IpcMainPort, deps: IpcDeps): void {
  const { session } = deps;

  const handle = (channel: string, fn: (contentsId: number, args: unknown[]) => unknown) => {
    ipc.handle(channel, (event, ...args) => {
      if (!isTrustedSender(event, deps)) {
        deps.log(`refused ${channel} from ${event.senderFrame?.url ?? 'a gone frame'}`);
        throw new ForbiddenSenderError();
      }
      return fn(event.sender.id, args);
    });
  };
  const listen = (channel: string, fn: (contentsId: number, args: unknown[]) => void) => {
    ipc.on(channel, (event, ...args) => {
      if (!isTrustedSender(event, deps)) {
        deps.log(`refused ${channel} from ${event.senderFrame?.url ?? 'a gone frame'}`);
        return;
      }
      try {
        fn(event.sender.id, args);
      } catch (err) {
        deps.log(`${channel}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  };

  handle(INVOKE.restore, () => session.restore());
  handle(INVOKE.register, (_, [username, password, displayName]) => {
    if (!isShortString(username, 256) || !isShortString(password, 1024)) bad('register');
    if (displayName !== undefined && !isShortString(displayName, 256)) bad('register');
    return session.register(username, password, displayName);
  });
  handle(INVOKE.login, (_, [username, password]) => {
    if (!isShortString(username, 256) || !isShortString(password, 1024)) bad('login');
    return session.login(username, password);
  });
  handle(INVOKE.logout, () => session.logout());
  handle(INVOKE.state, () => session.state());
  handle(INVOKE.request, (_, [event, payload]) => {
    // The relay validates each payload against its schema; here only the shape of the call.
    if (!isClientEvent(event) || !isPlainObject(payload)) bad('request');
    return session.request(event, payload as unknown as ClientPayloads[typeof event]);
  });
  handle(INVOKE.send, (_, [chatId, body]) => {
    if (!isId(chatId) || !isShortString(body, 16_000)) bad('send');
    return session.send(chatId, body);
  });
  handle(INVOKE.pending, (_, [chatId]) => {
    if (!isId(chatId)) bad('pending');
    return session.pending(chatId);
  });

  listen(SEND.retryNow, () => session.retryNow());
  listen(SEND.openChat, (_, [chatId]) => {
    if (!isId(chatId)) bad('openChat');
    deps.openChat(chatId);
  });
  listen(SEND.setFocused, (contentsId, [chatId]) => {
    if (chatId !== null && !isId(chatId)) bad('setFocused');
    deps.setViewing(contentsId, chatId);
  });
}
