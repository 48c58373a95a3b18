// Which users and chats a friend, invite or leave rule reads before it writes: the
// keys it holds in the relay's KeyedLocks, so two rules that could interleave badly
// (both about one pair, one chat, or one member set) run one after the other, and
// all others side by side. Two invites that would make the same member set share every
// user in it; a leave and an accept into one chat share that chat's key.
import type { ParsedPayload } from '../protocol/schemas';
import type { User } from '../protocol/types';
import { pairKeyOf } from './chat/invites';
import type { ChatRecord, Store } from './store/types';

export type SerialEvent =
  | 'friends:request'
  | 'friends:accept'
  | 'friends:decline'
  | 'friends:remove'
  | 'invite:create'
  | 'invite:accept'
  | 'invite:reject'
  | 'invite:cancel'
  | 'chat:leave';

const userKey = (id: string) => `user:${id}`;
const chatKeys = (chat: ChatRecord | null): string[] => (chat ? [`chat:${chat.id}`, ...chat.memberIds.map(userKey)] : []);

async function userByName(store: Store, username: string): Promise<string> {
  const u = await store.getUserByUsername(username);
  // No such user: the rule answers not_found; the name keeps a sign-up race apart.
  return u ? userKey(u.id) : `name:${username}`;
}

export async function ruleKeys<E extends SerialEvent>(store: Store, me: User, event: E, payload: ParsedPayload<E>): Promise<string[]> {
  const keys = [userKey(me.id)];
  switch (event) {
    case 'friends:request':
    case 'friends:accept':
    case 'friends:decline':
    case 'friends:remove': {
      const p = payload as ParsedPayload<'friends:request'>;
      keys.push(await userByName(store, p.username));
      break;
    }
    case 'invite:create': {
      const p = payload as ParsedPayload<'invite:create'>;
      const to = await store.getUserByUsername(p.to);
      keys.push(to ? userKey(to.id) : `name:${p.to}`);
      if (p.chatId) keys.push(`chat:${p.chatId}`, ...chatKeys(await store.getChat(p.chatId)));
      else if (to) keys.push(...chatKeys(await store.findDirectChat(pairKeyOf(me.id, to.id))));
      break;
    }
    case 'invite:accept':
    case 'invite:reject':
    case 'invite:cancel': {
      const p = payload as ParsedPayload<'invite:accept'>;
      keys.push(`invite:${p.inviteId}`);
      const invite = await store.getInvite(p.inviteId);
      if (!invite) break;
      keys.push(userKey(invite.fromId), userKey(invite.toId));
      const target = invite.chatId ? await store.getChat(invite.chatId) : await store.findDirectChat(pairKeyOf(invite.fromId, invite.toId));
      if (invite.chatId) keys.push(`chat:${invite.chatId}`);
      keys.push(...chatKeys(target));
      break;
    }
    case 'chat:leave': {
      const p = payload as ParsedPayload<'chat:leave'>;
      keys.push(`chat:${p.chatId}`, ...chatKeys(await store.getChat(p.chatId)));
      break;
    }
  }
  return [...new Set(keys)];
}
