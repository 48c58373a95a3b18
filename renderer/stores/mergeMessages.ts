// Merges messages into a chat's list: ascending seq, each seq once. Live messages,
// history pages and catch-up batches overlap at the edges; this is where the overlap
// goes away. Appends and prepends (the common cases) avoid a full sort, which matters
// when a chat holds 100,000 messages.
import type { Message } from '../../protocol/types';

export function mergeMessages(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const fresh = dedupeSorted(incoming);
  if (existing.length === 0) return fresh;
  const first = existing[0]!.seq;
  const last = existing[existing.length - 1]!.seq;
  if (fresh[0]!.seq > last) return existing.concat(fresh);
  if (fresh[fresh.length - 1]!.seq < first) return fresh.concat(existing);
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  let added = false;
  for (const m of fresh) {
    if (!bySeq.has(m.seq)) {
      bySeq.set(m.seq, m);
      added = true;
    }
  }
  if (!added) return existing as Message[];
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function dedupeSorted(messages: readonly Message[]): Message[] {
  const sorted = [...messages].sort((a, b) => a.seq - b.seq);
  return sorted.filter((m, i) => i === 0 || sorted[i - 1]!.seq !== m.seq);
}
