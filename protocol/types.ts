// The wire between the relay and every client, as described in docs/protocol.md.
// One declaration, checked at both ends through socket.io's typed events.

export interface User {
  id: string;
  username: string;
  displayName: string;
}

export interface Member extends User {
  online: boolean;
}

export type ChatKind = 'direct' | 'group';

export interface Chat {
  id: string;
  kind: ChatKind;
  members: Member[];
  createdAt: string;
  lastSeq: number;
  /** The caller's own read position; 0 when nothing is read. */
  readSeq: number;
}

/** `text`: what chat:send stores; `joined` / `left`: a membership entry (sender is who). */
export type MessageKind = 'text' | 'joined' | 'left';

export interface Message {
  id: string;
  chatId: string;
  seq: number;
  kind: MessageKind;
  /** For a membership entry, the member who joined or left. */
  sender: User;
  body: string;
  clientMsgId: string;
  createdAt: string;
}

export type InviteStatus = 'pending' | 'accepted' | 'rejected' | 'cancelled' | 'expired';

export interface Invite {
  id: string;
  from: User;
  to: User;
  /** The chatId given to invite:create; null for a direct invite. */
  chatId: string | null;
  kind: ChatKind;
  /** The chat's members at invite time ([from] for a direct invite). */
  members: User[];
  status: InviteStatus;
  createdAt: string;
  expiresAt: string;
}

export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'not_found',
  'forbidden',
  'not_friends',
  'not_online',
  'already_friends',
  'already_member',
  'already_invited',
  'duplicate_members',
  'invite_closed',
  'rate_limited',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  /** Set with duplicate_members: the existing chat with that member set. */
  chatId?: string;
}

export type AckOk<T> = { ok: true } & T;
export type AckErr = { ok: false; error: WireError };
export type Ack<T> = AckOk<T> | AckErr;
export type AckFn<T> = (res: Ack<T>) => void;

type Empty = Record<string, never>;

export interface FriendsListResult {
  friends: Member[];
  incoming: User[];
  outgoing: User[];
}

export interface HistoryResult {
  messages: Message[];
  hasMore: boolean;
}

export interface InviteListResult {
  incoming: Invite[];
  outgoing: Invite[];
}

// Payloads, one per client->server event.
export interface UsernamePayload {
  username: string;
}
export interface InviteCreatePayload {
  to: string;
  chatId?: string;
}
export interface InviteIdPayload {
  inviteId: string;
}
export interface ChatIdPayload {
  chatId: string;
}
export interface HistoryPayload {
  chatId: string;
  before?: number;
  after?: number;
  limit?: number;
}
export interface SendPayload {
  chatId: string;
  clientMsgId: string;
  body: string;
}
export interface ReadPayload {
  chatId: string;
  seq: number;
}

/** Result types of each client->server event (without the ok flag). */
export interface ClientResults {
  'friends:list': FriendsListResult;
  'friends:request': Empty;
  'friends:accept': { friend: Member };
  'friends:decline': Empty;
  'friends:remove': Empty;
  'invite:create': { invite: Invite };
  'invite:accept': { chat: Chat };
  'invite:reject': Empty;
  'invite:cancel': Empty;
  'invite:list': InviteListResult;
  'chat:list': { chats: Chat[] };
  'chat:history': HistoryResult;
  'chat:send': { message: Message };
  'chat:leave': Empty;
  'chat:typing': Empty;
  'chat:read': Empty;
}

export interface ClientPayloads {
  'friends:list': Empty;
  'friends:request': UsernamePayload;
  'friends:accept': UsernamePayload;
  'friends:decline': UsernamePayload;
  'friends:remove': UsernamePayload;
  'invite:create': InviteCreatePayload;
  'invite:accept': InviteIdPayload;
  'invite:reject': InviteIdPayload;
  'invite:cancel': InviteIdPayload;
  'invite:list': Empty;
  'chat:list': Empty;
  'chat:history': HistoryPayload;
  'chat:send': SendPayload;
  'chat:leave': ChatIdPayload;
  'chat:typing': ChatIdPayload;
  'chat:read': ReadPayload;
}

export type ClientEvent = keyof ClientPayloads;

export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: ClientPayloads[E], ack: AckFn<ClientResults[E]>) => void;
};

export interface ServerPayloads {
  presence: { user: User; online: boolean };
  'friend:request': { from: User };
  'friend:added': { friend: Member };
  'friend:removed': { userId: string };
  'invite:received': { invite: Invite };
  'invite:closed': { inviteId: string; status: InviteStatus; chatId?: string };
  'chat:joined': { chat: Chat };
  /** `message`: the membership entry, in seq order with the chat's messages. */
  'chat:member': { chatId: string; user: User; change: 'joined' | 'left'; message: Message };
  'chat:left': { chatId: string };
  'chat:message': { message: Message };
  'chat:typing': { chatId: string; user: User };
  'chat:read': { chatId: string; seq: number };
}

export type ServerEvent = keyof ServerPayloads;

export type ServerToClientEvents = {
  [E in ServerEvent]: (payload: ServerPayloads[E]) => void;
};

// HTTP
export interface AuthResult {
  token: string;
  user: User;
}
/** HTTP adds one code of its own: 409 username_taken on register. */
export type HttpErrorCode = ErrorCode | 'username_taken';
export const HTTP_ERROR_CODES: readonly HttpErrorCode[] = [...ERROR_CODES, 'username_taken'];
export interface HttpError {
  code: HttpErrorCode;
  message: string;
}
export interface HttpErrorBody {
  error: HttpError;
}

/** Every event name of the wire, for code that must refuse any other (checked complete below). */
export const CLIENT_EVENTS = [
  'friends:list',
  'friends:request',
  'friends:accept',
  'friends:decline',
  'friends:remove',
  'invite:create',
  'invite:accept',
  'invite:reject',
  'invite:cancel',
  'invite:list',
  'chat:list',
  'chat:history',
  'chat:send',
  'chat:leave',
  'chat:typing',
  'chat:read',
] as const satisfies readonly ClientEvent[];

export const SERVER_EVENTS = [
  'presence',
  'friend:request',
  'friend:added',
  'friend:removed',
  'invite:received',
  'invite:closed',
  'chat:joined',
  'chat:member',
  'chat:left',
  'chat:message',
  'chat:typing',
  'chat:read',
] as const satisfies readonly ServerEvent[];

// compile-time: a new event in ClientPayloads/ServerPayloads must be listed above too
type Missing<All, Listed> = Exclude<All, Listed>;
const _allClientEvents: Missing<ClientEvent, (typeof CLIENT_EVENTS)[number]> extends never ? true : never = true;
const _allServerEvents: Missing<ServerEvent, (typeof SERVER_EVENTS)[number]> extends never ? true : never = true;
void _allClientEvents;
void _allServerEvents;
