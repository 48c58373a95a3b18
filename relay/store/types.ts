// The one Store interface every backend (SQLite, MongoDB) implements. Operations are
// shaped like the transactions the chat rules need, so each backend can make them
// atomic its own way (a SQLite transaction, a MongoDB findOneAndUpdate).
import type { ChatKind, InviteStatus, MessageKind } from '../../protocol/types';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  createdAt: string;
}

export interface Credentials {
  user: UserRecord;
  /** scrypt hash and salt, both hex */
  passwordHash: string;
  salt: string;
}

export interface ChatRecord {
  id: string;
  kind: ChatKind;
  /** Sorted "a:b" user ids for a direct chat; null for a group. */
  pairKey: string | null;
  createdAt: string;
  lastSeq: number;
  /** Current members, sorted by join time. Empty for an inactive direct chat. */
  memberIds: string[];
}

export interface MembershipRecord {
  chat: ChatRecord;
  readSeq: number;
}

export interface MessageRecord {
  id: string;
  chatId: string;
  seq: number;
  /** A membership entry (joined, left) has an empty body and clientMsgId. */
  kind: MessageKind;
  senderId: string;
  body: string;
  clientMsgId: string;
  createdAt: string;
}

export interface NewMessage {
  chatId: string;
  senderId: string;
  clientMsgId: string;
  body: string;
  createdAt: string;
}

export interface AppendResult {
  message: MessageRecord;
  /** True when (chatId, senderId, clientMsgId) existed: the original is returned. */
  duplicate: boolean;
}

export interface HistoryQuery {
  before?: number;
  after?: number;
  limit: number;
}

export interface HistoryPage {
  messages: MessageRecord[];
  hasMore: boolean;
}

export interface InviteRecord {
  id: string;
  fromId: string;
  toId: string;
  /** The chatId given to invite:create; null for a direct invite. */
  chatId: string | null;
  kind: ChatKind;
  /** What the invite is for: `pair:<a>:<b>` for the pair's direct chat, `chat:<id>` otherwise. */
  targetKey: string;
  memberIds: string[];
  status: InviteStatus;
  createdAt: string;
  expiresAt: string;
}

/**
 * Accepting an invite, decided by the store in one atomic step (a SQLite write
 * transaction, a MongoDB transaction), so that relays accepting at once cannot both
 * pass the checks. The relay plans from what it read (which chat gains the invitee,
 * or what chat is created) and the store commits that plan only if the records it
 * was made from are unchanged; otherwise it answers `stale` and the relay plans again.
 */
export interface AcceptPlan {
  inviteId: string;
  /** An invite whose expiresAt is at or before this instant is closed as expired. */
  now: string;
  /** The chat that gains the invitee, with its members as the plan read them. */
  into: { chatId: string; memberIds: readonly string[] } | null;
  /** The chat to create when `into` is null (a direct chat when pairKey is set). */
  create: { id: string; kind: ChatKind; pairKey: string | null; createdAt: string } | null;
  /** A group created from a direct chat copies its members: that chat as the plan read it. */
  forkedFrom: { chatId: string; memberIds: readonly string[] } | null;
  /** The member set the resulting chat will have. */
  memberIds: readonly string[];
}

export type AcceptOutcome =
  /**
   * Done: the invite is accepted; `before` is who was in the chat before; `entries`
   * the `joined` entries appended for who joined a chat that existed already.
   */
  | { outcome: 'accepted'; chat: ChatRecord; before: string[]; entries: MessageRecord[] }
  /** The invite is not pending (any more). */
  | { outcome: 'closed'; status: InviteStatus }
  /** The invite was pending but past its time: closed as expired by this call. */
  | { outcome: 'expired'; invite: InviteRecord }
  /** An active chat has exactly this member set: the invite is closed as cancelled. */
  | { outcome: 'duplicate'; chatId: string; invite: InviteRecord }
  /** What the plan was made from changed (members, or the pair's chat appeared): plan again. */
  | { outcome: 'stale' };

export interface LeaveOutcome {
  /** The chat after the leave (deleted: its last state, with no members). */
  chat: ChatRecord;
  /** A group left by its last member is deleted with its messages, in the same step. */
  deleted: boolean;
  /** The `left` entry appended to the chat; null when the chat was deleted. */
  entry: MessageRecord | null;
  /** Pending invites closed as cancelled by this leave (rule 6), in creation order. */
  cancelled: InviteRecord[];
}

/** `gone`: the invite names a chat that no longer exists or its inviter has left. */
export type CreateInviteOutcome = 'created' | 'already_invited' | 'gone';

export type FriendState = 'none' | 'friends' | 'outgoing' | 'incoming';

export interface FriendLists {
  friendIds: string[];
  incomingIds: string[];
  outgoingIds: string[];
}

export interface StaleRemoved {
  tokens: number;
  invites: number;
  messages: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongo';

  // users and tokens
  /** null when the username is taken */
  createUser(user: UserRecord, passwordHash: string, salt: string): Promise<UserRecord | null>;
  getCredentials(username: string): Promise<Credentials | null>;
  getUserByUsername(username: string): Promise<UserRecord | null>;
  getUsers(ids: readonly string[]): Promise<UserRecord[]>;
  createToken(tokenHash: string, userId: string, expiresAt: string): Promise<void>;
  /** The user id of a token that exists and has not expired at `now`. */
  findToken(tokenHash: string, now: string): Promise<string | null>;
  deleteToken(tokenHash: string): Promise<boolean>;

  // friends (a request is directional; a friendship is symmetric)
  friendState(userId: string, otherId: string): Promise<FriendState>;
  addFriendRequest(fromId: string, toId: string): Promise<void>;
  /** false when there was no such request */
  removeFriendRequest(fromId: string, toId: string): Promise<boolean>;
  /** Makes the two friends and removes requests between them in either direction. */
  makeFriends(a: string, b: string): Promise<void>;
  /** false when they were not friends */
  removeFriendship(a: string, b: string): Promise<boolean>;
  friendLists(userId: string): Promise<FriendLists>;
  /** Ids of friends of the user (for presence fan-out). */
  friendIds(userId: string): Promise<string[]>;

  // chats and membership
  getChat(chatId: string): Promise<ChatRecord | null>;
  findDirectChat(pairKey: string): Promise<ChatRecord | null>;
  /**
   * Creates the chat with these members. For a direct chat with a pairKey that exists
   * already, returns the existing one (with the given members added) instead.
   */
  createChat(chat: { id: string; kind: ChatKind; pairKey: string | null; createdAt: string }, memberIds: string[]): Promise<ChatRecord>;
  /** Adds members that are not members yet; returns the chat after. null if no chat. */
  addMembers(chatId: string, userIds: string[]): Promise<ChatRecord | null>;
  /** Removes the member; returns the chat after, or null if they were not a member. */
  removeMember(chatId: string, userId: string): Promise<ChatRecord | null>;
  /** Deletes a chat and all its messages. */
  deleteChat(chatId: string): Promise<void>;
  /** Commits an invite's acceptance if what it was planned from still holds (AcceptPlan). */
  acceptInvite(plan: AcceptPlan): Promise<AcceptOutcome>;
  /**
   * Leaving (rule 7), in one atomic step: removes the member, closes as cancelled the
   * leaver's pending invites toward this chat (and, for a direct chat, toward the
   * pair), appends the `left` entry (at `now`), and deletes a group left empty with its
   * messages and every invite still pending into it. null when the user was not a member.
   */
  leaveChat(chatId: string, userId: string, now: string): Promise<LeaveOutcome | null>;
  /** Active chats the user is a member of, with the user's read position. */
  chatsOf(userId: string): Promise<MembershipRecord[]>;
  /** An active chat whose member set is exactly this one, if any. */
  findChatByMembers(memberIds: readonly string[]): Promise<ChatRecord | null>;
  /** Moves the read position forward only, capped at the chat's lastSeq; returns it. */
  markRead(chatId: string, userId: string, seq: number): Promise<number>;
  getReadSeq(chatId: string, userId: string): Promise<number>;

  // messages
  /** Allocates the next seq and inserts in one atomic, durable step. */
  appendMessage(msg: NewMessage, id: string): Promise<AppendResult>;
  /** Appends several messages, each as appendMessage would, in one durable commit. */
  appendMessages(batch: { msg: NewMessage; id: string }[]): Promise<AppendResult[]>;
  history(chatId: string, q: HistoryQuery): Promise<HistoryPage>;

  // invites
  /**
   * Stores a pending invite unless the same inviter has one pending for the same
   * invitee and target (`already_invited`), or, for an invite into a chat, that chat is
   * gone or the inviter is no longer in it (`gone`); checked atomically with the insert.
   */
  createInvite(invite: InviteRecord): Promise<CreateInviteOutcome>;
  getInvite(inviteId: string): Promise<InviteRecord | null>;
  findPendingInvite(fromId: string, toId: string, targetKey: string): Promise<InviteRecord | null>;
  pendingInvitesOf(userId: string): Promise<{ incoming: InviteRecord[]; outgoing: InviteRecord[] }>;
  /** Pending invites sent by this user toward this target. */
  pendingInvitesByTarget(targetKey: string, fromId?: string): Promise<InviteRecord[]>;
  /** Closes a pending invite: true only for the one caller that moved it from pending. */
  closeInvite(inviteId: string, status: Exclude<InviteStatus, 'pending'>): Promise<boolean>;
  /** Closes every pending invite whose expiresAt <= now as expired and returns them. */
  expireInvites(now: string): Promise<InviteRecord[]>;

  /**
   * Housekeeping: removes tokens expired by `now`, closed invites whose expiresAt is
   * before `closedBefore` (an invite closes by its expiresAt at the latest, so it has
   * been closed at least that long), and messages of chats that no longer exist.
   */
  removeStale(now: string, closedBefore: string): Promise<StaleRemoved>;

  /** Cheap round trip for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
