// Where the outgoing queue lives between restarts. The core only needs load/save
// of the whole (small) list; each platform brings its own: a file in the Electron
// main process, IndexedDB in a browser, memory in tests or as a fallback.
import type { OutgoingMessage } from './types';

export interface QueueStorage {
  load(): Promise<OutgoingMessage[]>;
  save(items: OutgoingMessage[]): Promise<void>;
}

export class MemoryQueueStorage implements QueueStorage {
  private items: OutgoingMessage[] = [];

  async load(): Promise<OutgoingMessage[]> {
    return this.items.map((m) => ({ ...m }));
  }

  async save(items: OutgoingMessage[]): Promise<void> {
    this.items = items.map((m) => ({ ...m }));
  }
}

/** Keeps only well-formed entries of what was read back from disk or IndexedDB. */
export function parseQueue(value: unknown): OutgoingMessage[] {
  if (!Array.isArray(value)) return [];
  const out: OutgoingMessage[] = [];
  for (const v of value as unknown[]) {
    if (typeof v !== 'object' || v === null) continue;
    const r = v as Record<string, unknown>;
    if (
      typeof r.chatId === 'string' &&
      typeof r.clientMsgId === 'string' &&
      typeof r.body === 'string' &&
      typeof r.createdAt === 'string'
    ) {
      out.push({ chatId: r.chatId, clientMsgId: r.clientMsgId, body: r.body, createdAt: r.createdAt });
    }
  }
  return out;
}
