// A client for reconnect storms: a real socket.io socket with reconnection on, which
// keeps every message it has seen per chat and, after each reconnect, catches up the
// way docs/protocol.md rule 9 says (chat:list, then chat:history { after: lastSeqSeen }).
import { io } from 'socket.io-client';
import type { Message, User } from '../../protocol/types';
import { ok, type TestSocket, type TestUser } from './clients';

export class StormClient {
  readonly socket: TestSocket;
  /** chatId -> seq -> message */
  readonly seen = new Map<string, Map<number, Message>>();
  /** chatId -> the highest seq seen when the connection dropped: where catch-up starts */
  private anchor = new Map<string, number>();
  connects = 0;
  /** When the latest connect happened. */
  connectedAt = 0;
  /** Set when the catch-up after the latest reconnect finished. */
  caughtUpAt: number | null = null;
  errors: string[] = [];
  duplicates = 0;

  constructor(
    url: string,
    readonly user: User,
    readonly token: string,
  ) {
    this.socket = io(url, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      randomizationFactor: 0.1,
    });
    this.socket.on('chat:message', ({ message }) => this.keep(message));
    this.socket.on('disconnect', () => {
      this.caughtUpAt = null;
      for (const [chatId, msgs] of this.seen) this.anchor.set(chatId, Math.max(0, ...msgs.keys()));
    });
    this.socket.on('connect', () => {
      this.connects++;
      this.connectedAt = Date.now();
      if (this.connects > 1) void this.catchUp();
    });
  }

  /** As a TestUser, for the setup helpers (befriend, inviteAndAccept). */
  asUser(): TestUser {
    return { user: this.user, token: this.token, socket: this.socket };
  }

  private keep(m: Message): void {
    let msgs = this.seen.get(m.chatId);
    if (!msgs) this.seen.set(m.chatId, (msgs = new Map()));
    const had = msgs.get(m.seq);
    if (had) {
      if (had.id !== m.id) this.errors.push(`two messages with seq ${m.seq} in ${m.chatId}: ${had.id} and ${m.id}`);
      this.duplicates++;
    }
    msgs.set(m.seq, m);
  }

  /** Rule 9: every active chat, from the last seq seen before the drop. */
  async catchUp(): Promise<void> {
    try {
      const { chats } = await ok(this.socket, 'chat:list', {});
      for (const chat of chats) {
        let after = this.anchor.get(chat.id) ?? 0;
        for (let page = 0; page < 100; page++) {
          const h = await ok(this.socket, 'chat:history', { chatId: chat.id, after, limit: 200 });
          for (const m of h.messages) this.keep(m);
          if (!h.hasMore || h.messages.length === 0) break;
          after = h.messages[h.messages.length - 1]!.seq;
        }
      }
      this.caughtUpAt = Date.now();
    } catch (e) {
      // the relay may die again under us; the next connect retries
      this.errors.push(`catch-up failed: ${(e as Error).message}`);
    }
  }

  close(): void {
    this.socket.close();
  }
}
