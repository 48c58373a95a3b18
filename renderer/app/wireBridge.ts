// Connects the bridge's events to the stores, once per page. Everything the relay
// pushes lands here; the stores stay unaware of where events come from.
import { watch } from 'vue';
import type { Bridge, ConnectionState } from '../bridge/types';
import { useChatsStore } from '../stores/chats';
import { useConnectionStore } from '../stores/connection';
import { useFriendsStore } from '../stores/friends';
import { useInvitesStore } from '../stores/invites';
import { useMessagesStore } from '../stores/messages';
import { useNoticesStore } from '../stores/notices';
import { useSessionStore } from '../stores/session';
import { useTypingStore } from '../stores/typing';

/**
 * `openJoinedChats` is for the main window only: an Electron chat window must not open
 * other chats. Returns a function that removes every subscription (tests, hot reload). */
export function wireBridge(bridge: Bridge, opts: { openJoinedChats: boolean }): () => void {
  const session = useSessionStore();
  const connection = useConnectionStore();
  const friends = useFriendsStore();
  const invites = useInvitesStore();
  const chats = useChatsStore();
  const messages = useMessagesStore();
  const typing = useTypingStore();
  const notices = useNoticesStore();

  function resetAll(): void {
    friends.reset();
    invites.reset();
    chats.reset();
    messages.reset();
    typing.reset();
  }

  // (Re)load the lists on every transition to online: after a reconnect they may have
  // changed. Message catch-up itself is the bridge's job (onCatchUp).
  async function refresh(): Promise<void> {
    await Promise.all([friends.load(), invites.load(), chats.load()]);
  }

  let previous: ConnectionState['status'] = connection.state.status;
  const offs = [
    // Whatever ends a session, the next user must not see this one's data.
    watch(
      () => session.status,
      (status) => {
        if (status === 'signed-out') resetAll();
      },
    ),
    bridge.onState((state) => {
      const was = previous;
      previous = state.status;
      connection.set(state);
      if (state.status === 'online' && was !== 'online') void refresh();
      if (state.status === 'signed-out' && was !== 'signed-out') {
        resetAll();
        if (session.status === 'signed-in') {
          session.signedOutRemotely();
          notices.error('You were signed out. Please sign in again.');
        }
      }
    }),
    bridge.on('presence', ({ user, online }) => {
      friends.setOnline(user.id, online);
      chats.setOnline(user.id, online);
    }),
    bridge.on('friend:request', ({ from }) => friends.requested(from)),
    bridge.on('friend:added', ({ friend }) => friends.added(friend)),
    bridge.on('friend:removed', ({ userId }) => friends.removed(userId)),
    bridge.on('invite:received', ({ invite }) => invites.onReceived(invite)),
    bridge.on('invite:closed', ({ inviteId, status }) => invites.closed(inviteId, status)),
    bridge.on('chat:joined', ({ chat }) => {
      const known = chat.id in chats.byId;
      chats.upsert(chat);
      // Joining is always the result of an accepted invite: show the chat to both ends.
      if (!known && opts.openJoinedChats) chats.open(chat.id, 'event');
    }),
    bridge.on('chat:member', ({ chatId, user, change, message }) => {
      // The entry ("Cat left") goes into the timeline where everyone sees it; the store
      // moves lastSeq (and a read position just before it) without counting it unread.
      messages.merge(chatId, [message]);
      chats.memberChanged(chatId, user, change, message);
      // Whoever left is no longer typing here.
      if (change === 'left') typing.stopped(chatId, user.id);
    }),
    bridge.on('chat:left', ({ chatId }) => {
      chats.left(chatId);
      messages.forget(chatId);
    }),
    // Only ever a text message (membership entries come with chat:member).
    bridge.on('chat:message', ({ message }) => {
      messages.merge(message.chatId, [message]);
      chats.messageArrived(message);
      typing.stopped(message.chatId, message.sender.id);
    }),
    bridge.on('chat:typing', ({ chatId, user }) => {
      // A hint overtaken by its sender's leaving must not show a former member typing.
      const chat = chats.byId[chatId];
      if (chat && !chat.members.some((m) => m.id === user.id)) return;
      typing.someoneTyped(chatId, user);
    }),
    bridge.on('chat:read', ({ chatId, seq }) => chats.readMoved(chatId, seq)),
    bridge.onOutgoing((update) => {
      messages.outgoingUpdate(update);
      if (update.kind === 'sent') chats.messageArrived(update.message);
    }),
    bridge.onCatchUp((chatId, caught) => {
      messages.merge(chatId, caught);
      for (const m of caught) chats.messageArrived(m);
    }),
    ...(opts.openJoinedChats ? [bridge.onNotificationAction((action) => chats.open(action.chatId))] : []),
  ];
  return () => offs.forEach((off) => off());
}
