// clientMsgId: 1-64 of A-Za-z0-9_- (docs/protocol.md). 32 hex digits: the time in
// milliseconds (48 bits), then 80 random bits.
//
// Time first so that a sender's ids sort in the order they were made: the relay keeps
// every message in a unique index on (chat, sender, clientMsgId) for its resend check,
// and an id that sorts after the sender's earlier ones goes to the end of their part
// of that index, where the pages just written are. A random id lands on a page of its
// own anywhere in it, so each message rewrites a page, and the more history a chat
// has, the more pages there are to land on: with random ids the relay wrote 1.0 KB per
// message into SQLite on a new database and 5.6 KB once it held 1.2 million messages,
// with time-ordered ones 1.0 and 1.1 KB (`npm run bench:apply-growth`). The relay also
// skips the index lookup for an id above all of the sender's stored ones
// (relay/store/resend-bounds.ts). 80 random bits keep ids of different devices apart.
//
// getRandomValues rather than randomUUID: the latter exists only in secure contexts,
// and the web client may be served over plain http on a LAN.
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The last id made in this process: the next is greater, also within its millisecond. */
let last: { ms: number; random: Uint8Array } | null = null;

/** The random part plus one, or null when it was all ones. */
function plusOne(random: Uint8Array): Uint8Array | null {
  const next = Uint8Array.from(random);
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] !== 0xff) {
      next[i]!++;
      return next;
    }
    next[i] = 0;
  }
  return null;
}

/**
 * Each id is greater than the one before it in this process: within a millisecond (two
 * sends of one event-loop turn) the random part of the last is counted on by one, and
 * a clock set back keeps the last id's time, as ULID's monotonic ids do.
 */
export function newClientMsgId(now: number = Date.now()): string {
  let ms = Math.max(0, Math.floor(now));
  let random: Uint8Array | null = null;
  if (last && ms <= last.ms) {
    ms = last.ms;
    random = plusOne(last.random);
    if (!random) ms++;
  }
  if (!random) {
    random = new Uint8Array(10);
    globalThis.crypto.getRandomValues(random);
  }
  last = { ms, random };
  // 12 hex digits hold milliseconds until the year 10889
  return ms.toString(16).padStart(12, '0').slice(-12) + hex(random);
}
