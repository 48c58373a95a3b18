// The web client's outgoing queue, kept in IndexedDB so messages typed while offline
// survive closing the tab. Falls back to memory where IndexedDB is missing or
// refuses to open (some private-browsing modes): sending still works, only the
// survival across reloads is lost.
import { MemoryQueueStorage, parseQueue, type QueueStorage } from '../../../client/queue-storage';
import type { OutgoingMessage } from '../../../client/types';

const DB_NAME = 'relaychat';
const STORE = 'outbox';
const KEY = 'queue';

export function createBrowserQueueStorage(): QueueStorage {
  if (typeof indexedDB === 'undefined') return new MemoryQueueStorage();
  return new IndexedDbQueueStorage();
}

class IndexedDbQueueStorage implements QueueStorage {
  private db: Promise<IDBDatabase | null> | null = null;
  private readonly fallback = new MemoryQueueStorage();

  async load(): Promise<OutgoingMessage[]> {
    const db = await this.open();
    if (!db) return this.fallback.load();
    const value = await request<unknown>(db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY));
    return parseQueue(value);
  }

  async save(items: OutgoingMessage[]): Promise<void> {
    const db = await this.open();
    if (!db) return this.fallback.save(items);
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(items, KEY);
    // Resolve when the transaction commits, not when the put is queued.
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
    });
  }

  private open(): Promise<IDBDatabase | null> {
    this.db ??= new Promise<IDBDatabase | null>((resolve) => {
      let req: IDBOpenDBRequest;
      try {
        req = indexedDB.open(DB_NAME, 1);
      } catch {
        resolve(null);
        return;
      }
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    });
    return this.db;
  }
}

function request<T>(req: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB read failed'));
  });
}
