// The outgoing queue: every message the user sent that the relay has not
// acknowledged. Persisted before it is sent, sent in order within each chat (one
// in flight per chat, so a retried message can never land after its successor),
// resent with the same clientMsgId until the relay answers, which makes resends
// after a lost ack harmless (the relay returns the original message).
import type { Ack, ErrorCode, Message, WireError } from '../protocol/types';
import { newClientMsgId } from './client-msg-id';
import type { QueueStorage } from './queue-storage';
import type { OutgoingMessage, OutgoingUpdate } from './types';

/** What one send attempt came to: the relay's answer, or no answer (timeout, dropped connection). */
export type SendOutcome = { kind: 'ack'; ack: Ack<{ message: Message }> } | { kind: 'lost'; reason: string };

export interface OutboxDeps {
  storage: QueueStorage;
  /** Emits chat:send on the current connection and waits for the answer. */
  sendOne(item: OutgoingMessage): Promise<SendOutcome>;
  /** Whether there is a connection to send on right now. */
  canSend(): boolean;
  /** Wait before retry `attempt` (1-based) after a transient failure. */
  retryDelay(attempt: number): number;
  onUpdate(update: OutgoingUpdate): void;
  /** The relay stored a message of ours (also reported through onUpdate). */
  onStored(message: Message): void;
  onError(err: unknown): void;
}

/** Worth retrying: the same request may succeed later. Anything else fails the message for good. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['rate_limited', 'internal', 'unauthorized']);

export function isTransient(error: WireError): boolean {
  return TRANSIENT.has(error.code);
}

/** Upper bound of attempts of one worker run, so no loop is unbounded; a later kick resumes. */
const MAX_ATTEMPTS_PER_RUN = 10_000;

export class Outbox {
  readonly ready: Promise<void>;
  private items: OutgoingMessage[] = [];
  private readonly workers = new Set<string>();
  private readonly sleepers = new Set<() => void>();
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly deps: OutboxDeps) {
    this.ready = deps.storage
      .load()
      .then((loaded) => {
        // Anything added before the load finished goes after what was already waiting.
        const known = new Set(loaded.map((m) => m.clientMsgId));
        this.items = [...loaded, ...this.items.filter((m) => !known.has(m.clientMsgId))];
      })
      .catch((err: unknown) => deps.onError(err));
  }

  async add(chatId: string, body: string, now: Date = new Date()): Promise<OutgoingMessage> {
    await this.ready;
    const outgoing: OutgoingMessage = { chatId, clientMsgId: newClientMsgId(), body, createdAt: now.toISOString() };
    this.items.push(outgoing);
    await this.persist();
    this.deps.onUpdate({ kind: 'queued', outgoing: { ...outgoing } });
    this.kick();
    return { ...outgoing };
  }

  pending(chatId?: string): OutgoingMessage[] {
    return this.items.filter((m) => chatId === undefined || m.chatId === chatId).map((m) => ({ ...m }));
  }

  /** Whether this is one of our messages still waiting for its acknowledgement. */
  isPending(chatId: string, clientMsgId: string): boolean {
    return this.items.some((m) => m.chatId === chatId && m.clientMsgId === clientMsgId);
  }

  /** Starts a sender for every chat with waiting messages (after connecting, or after add). */
  kick(): void {
    if (!this.deps.canSend()) return;
    for (const chatId of new Set(this.items.map((m) => m.chatId))) {
      if (!this.workers.has(chatId)) void this.work(chatId);
    }
  }

  /** Cuts short every retry wait, e.g. when a fresh connection makes an early retry worthwhile. */
  wake(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /** Drops every waiting message (sign-out: they must not be sent as the next user). */
  async clear(): Promise<void> {
    await this.ready;
    this.items = [];
    this.wake();
    await this.persist();
  }

  private async work(chatId: string): Promise<void> {
    this.workers.add(chatId);
    try {
      let failures = 0;
      for (let i = 0; i < MAX_ATTEMPTS_PER_RUN; i++) {
        if (!this.deps.canSend()) return;
        const item = this.items.find((m) => m.chatId === chatId);
        if (!item) return;
        const outcome = await this.deps.sendOne(item);
        if (!this.items.includes(item)) continue; // cleared while in flight
        if (outcome.kind === 'ack' && outcome.ack.ok) {
          failures = 0;
          this.remove(item);
          this.deps.onStored(outcome.ack.message);
          this.deps.onUpdate({ kind: 'sent', clientMsgId: item.clientMsgId, message: outcome.ack.message });
          continue;
        }
        if (outcome.kind === 'ack' && !outcome.ack.ok && !isTransient(outcome.ack.error)) {
          failures = 0;
          this.remove(item);
          this.deps.onUpdate({ kind: 'failed', clientMsgId: item.clientMsgId, chatId, error: outcome.ack.error });
          continue;
        }
        // No answer, or a transient refusal. A lost connection resumes on reconnect (kick);
        // otherwise wait, growing the pause, and try the same message again.
        if (!this.deps.canSend()) return;
        failures++;
        await this.sleep(this.deps.retryDelay(failures));
      }
    } finally {
      this.workers.delete(chatId);
    }
    // The run hit its bound; give the next run a fresh start rather than spinning.
    setTimeout(() => this.kick(), this.deps.retryDelay(1));
  }

  private remove(item: OutgoingMessage): void {
    this.items = this.items.filter((m) => m !== item);
    void this.persist();
  }

  /** Saves the current list; saves run in call order so the last one written is the newest. */
  private persist(): Promise<void> {
    const snapshot = this.items.map((m) => ({ ...m }));
    this.saving = this.saving.then(
      () => this.deps.storage.save(snapshot).catch((err: unknown) => this.deps.onError(err)),
    );
    return this.saving;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}
