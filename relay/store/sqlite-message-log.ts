// The message log: append-only files beside the SQLite database that make live appends
// durable on their own, when one relay has the DATA_DIR to itself (sqlite.ts). Why:
// committing each group of appends to SQLite writes whole 4 KiB WAL frames for every
// page it touches (message leaves of several chats, the resend index), and the
// checkpoint copies them again: about 13 KB per message of about a hundred bytes at
// 2,000 msg/s. Here a batch is its records written once at the end of a file, made
// durable by one fdatasync; the file is preallocated (zeros written, not a hole) so
// that fdatasync has no size or block map to record. The rows reach SQLite later, many
// batches at once, where a page receives many messages per write instead of a few.
//
// Two segment files (relay.sqlite-msglog.0 and .1), used in turn: once the one being
// written is long, writing moves to offset 0 of the other, if everything that one
// holds is in SQLite and on disk there (under a steady load there is never a moment
// when everything logged is applied, so one file could never start over).
//
// A record: magic, epoch, payload length, CRC-32 of epoch and payload (16 bytes, little
// endian), then the payload (JSON of the message with its seq). Recovery reads each
// segment from its start while records are whole (magic, length within the file, CRC)
// and have the segment's first record's epoch; the first that is not ends it. A batch
// is written only after the previous one's fdatasync has finished, so every
// acknowledged record lies before any torn one. Each round of a segment has a new
// epoch, so what follows its newest records (older ones, or a piece of one) ends the
// scan. Replaying a record is idempotent (an insert that skips an existing (chat, seq)
// and a chat that no longer exists), so records already applied, or of the other
// segment's older round, may be replayed again in any order.
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomInt } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

export interface LoggedMessage {
  id: string;
  chatId: string;
  seq: number;
  senderId: string;
  body: string;
  clientMsgId: string;
  createdAt: string;
}

const MAGIC = 0x4d4c4731; // "MLG1"
const HEADER = 16;
/** The file grows by this much of zeros at a time, so fdatasync rarely has a size to record. */
const GROW_BYTES = 256 * 1024;

/** CRC-32 (IEEE) of buf[from, to), continuing from `crc`. */
export function crc32(buf: Uint8Array, from = 0, to = buf.length, crc = 0): number {
  return zlibCrc32(buf.subarray(from, to), crc);
}

const toPayload = (m: LoggedMessage): string => JSON.stringify([m.id, m.chatId, m.seq, m.senderId, m.body, m.clientMsgId, m.createdAt]);

function fromPayload(text: string): LoggedMessage | null {
  const a: unknown = JSON.parse(text);
  if (!Array.isArray(a) || a.length !== 7) return null;
  const [id, chatId, seq, senderId, body, clientMsgId, createdAt] = a as unknown[];
  if (typeof seq !== 'number' || ![id, chatId, senderId, body, clientMsgId, createdAt].every((v) => typeof v === 'string')) return null;
  return { id: id as string, chatId: chatId as string, seq, senderId: senderId as string, body: body as string, clientMsgId: clientMsgId as string, createdAt: createdAt as string };
}

/** One record, ready to write. */
export function encodeRecord(epoch: number, m: LoggedMessage): Buffer {
  const payload = Buffer.from(toPayload(m), 'utf8');
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(epoch, 4);
  out.writeUInt32LE(payload.length, 8);
  payload.copy(out, HEADER);
  // the CRC covers the epoch too, so a record cannot be mistaken for one of another round
  out.writeUInt32LE(crc32(payload, 0, payload.length, crc32(out, 4, 8)), 12);
  return out;
}

/** The whole records at the start of a log file's contents, in order (see the header). */
export function scanLog(buf: Buffer): { messages: LoggedMessage[]; epoch: number | null } {
  const messages: LoggedMessage[] = [];
  let epoch: number | null = null;
  let at = 0;
  while (at + HEADER <= buf.length) {
    if (buf.readUInt32LE(at) !== MAGIC) break;
    const e = buf.readUInt32LE(at + 4);
    if (epoch !== null && e !== epoch) break;
    const len = buf.readUInt32LE(at + 8);
    const end = at + HEADER + len;
    if (end > buf.length) break;
    if (crc32(buf, at + HEADER, end, crc32(buf, at + 4, at + 8)) !== buf.readUInt32LE(at + 12)) break;
    let m: LoggedMessage | null;
    try {
      m = fromPayload(buf.toString('utf8', at + HEADER, end));
    } catch {
      m = null;
    }
    if (!m) break;
    epoch = e;
    messages.push(m);
    at = end;
  }
  return { messages, epoch };
}

const segments = (base: string): [string, string] => [`${base}.0`, `${base}.1`];

/** Reads the records the log's segments hold (none when they do not exist), and their epochs. */
export function readLog(base: string): { messages: LoggedMessage[]; epochs: number[] } {
  const messages: LoggedMessage[] = [];
  const epochs: number[] = [];
  for (const path of segments(base)) {
    if (!existsSync(path)) continue;
    const found = scanLog(readFileSync(path));
    messages.push(...found.messages);
    if (found.epoch !== null) epochs.push(found.epoch);
  }
  return { messages, epochs };
}

/** Removes a replayed log (its records are in SQLite). Left behind by a crash, it would only be replayed again. */
export function removeLog(base: string): void {
  for (const path of segments(base)) rmSync(path, { force: true });
}

interface Segment {
  fd: number;
  size: number;
}

const PAGE = Buffer.alloc(4096);

/**
 * Zeros at the end of the segment, written for real: blocks the file system has
 * allocated and marked written, so the fdatasyncs that follow have no size or block map
 * to record. Written a page at a time: the page cache holds what one write brings in as
 * one folio, and a folio is dirtied, counted and written back whole, so zeros written in
 * one 1 MiB write made every later record write back 1 MiB (measured: write_bytes of
 * 1 MiB per fdatasync of a 200-byte record, 4 KiB with page-sized writes). For the same
 * reason the segments are never read while being written (recovery reads them before,
 * and they are made anew after).
 */
function grow(seg: Segment): void {
  const start = seg.size;
  try {
    while (seg.size < start + GROW_BYTES) seg.size += writeSync(seg.fd, PAGE, 0, PAGE.length, seg.size);
  } catch (e) {
    // The disk filled up midway: what this took is given back, so that every retry on a
    // full disk does not take the last of the space that SQLite and the rest need.
    ftruncateSync(seg.fd, start);
    seg.size = start;
    throw e;
  }
}

/**
 * The log's segments as written by this process. Positions (`pos`) count every byte
 * ever written, across segments and rounds, so they only grow and can be compared.
 */
export class MessageLogFile {
  private readonly segs: [Segment, Segment];
  private current = 0;
  private offset = 0;
  private epoch: number;
  /** Bytes written since the store opened. */
  pos = 0;
  /** `pos` at which the current round began: everything before it is in the other segment. */
  private roundStart = 0;
  /** End of what a failed write may have left past `offset`. */
  private dirtyUntil = 0;

  /** `avoidEpochs`: epochs of records the files held (replayed): never reused, to be safe. */
  constructor(
    base: string,
    private readonly wrapBytes: number,
    avoidEpochs: readonly number[],
  ) {
    // Created empty (what they held is replayed by now), so no page of them is cached
    // yet: see grow().
    const open = (path: string): Segment => ({ fd: openSync(path, 'w+'), size: 0 });
    const [a, b] = segments(base);
    this.segs = [open(a), open(b)];
    // the files' names on disk, so that what is flushed into them can be found
    const dir = openSync(dirname(base), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    let e = randomInt(0, 0xffffffff);
    while (avoidEpochs.includes(e)) e = (e + 1) >>> 0;
    this.epoch = e;
  }

  /** The segment being written, for its fdatasync. */
  get fd(): number {
    return this.segs[this.current]!.fd;
  }

  /**
   * Moves to the other segment if this one is long and everything the other holds is
   * in SQLite and on disk there (`safeUpTo`). Only between batches, never while one is
   * being flushed (the flush covers the segment being written).
   */
  maybeSwitch(safeUpTo: number): void {
    if (this.offset < this.wrapBytes || safeUpTo < this.roundStart) return;
    this.current = 1 - this.current;
    this.offset = 0;
    // what a failed write left in the other segment is of an older epoch: it ends a scan
    this.dirtyUntil = 0;
    this.roundStart = this.pos;
    this.epoch = (this.epoch + 1) >>> 0;
  }

  /**
   * Writes the batch's records at the end of the log (page cache; the caller flushes).
   * Returns the records as written, where each starts in them, and the log position at
   * which the last ends.
   */
  write(messages: readonly LoggedMessage[]): WrittenBatch {
    const seg = this.segs[this.current]!;
    const parts = messages.map((m) => encodeRecord(this.epoch, m));
    const records = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const starts = new Uint32Array(parts.length + 1);
    for (let i = 0; i < parts.length; i++) starts[i + 1] = starts[i]! + parts[i]!.length;
    while (seg.size < this.offset + records.length) grow(seg);
    // A batch that failed may have left whole records here: ones never acknowledged,
    // and of this round, so a replay would take them for the next ones. Zeros cover
    // what this batch does not.
    const buf = this.dirtyUntil > this.offset + records.length ? Buffer.concat([records, Buffer.alloc(this.dirtyUntil - this.offset - records.length)]) : records;
    try {
      let done = 0;
      while (done < buf.length) done += writeSync(seg.fd, buf, done, buf.length - done, this.offset + done);
    } catch (e) {
      this.dirtyUntil = Math.max(this.dirtyUntil, this.offset + buf.length);
      throw e;
    }
    this.dirtyUntil = 0;
    this.offset += records.length;
    this.pos += records.length;
    return { records, starts, end: this.pos };
  }

  close(): void {
    for (const s of this.segs) closeSync(s.fd);
  }
}

/** A batch as MessageLogFile.write wrote it. */
export interface WrittenBatch {
  /** Its records, as in the file. */
  records: Buffer;
  /** Record i is records[starts[i], starts[i + 1]). */
  starts: Uint32Array;
  /** The log position (MessageLogFile.pos) at which its last record ends. */
  end: number;
}

/** The message a record holds (encodeRecord's layout). */
export function decodeRecord(records: Buffer, from: number, to: number): LoggedMessage {
  const m = fromPayload(records.toString('utf8', from + HEADER, to));
  if (!m) throw new Error('a record of the message log could not be read back');
  return m;
}

/**
 * The messages of records laid end to end (WrittenBatch.records, or several joined);
 * `onEnd` is told where each record ends in them.
 */
export function decodeRecords(records: Buffer, onEnd?: (end: number) => void): LoggedMessage[] {
  const out: LoggedMessage[] = [];
  for (let at = 0; at + HEADER <= records.length; ) {
    const end = at + HEADER + records.readUInt32LE(at + 8);
    out.push(decodeRecord(records, at, end));
    onEnd?.(end);
    at = end;
  }
  return out;
}

const resendKey = (chatId: string, senderId: string, clientMsgId: string): string => `${chatId}\n${senderId}\n${clientMsgId}`;

/** FNV-1a of the resend key, 30 bits: a small integer, which V8 stores unboxed. */
export function resendHash(chatId: string, senderId: string, clientMsgId: string): number {
  let h = 0x811c9dc5;
  for (const part of [chatId, senderId, clientMsgId]) {
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 10, 0x01000193);
  }
  return h & 0x3fffffff;
}

interface HeldBatch extends WrittenBatch {
  /** Number (see Unapplied) of its first record. */
  first: number;
  /** Each record's chat id (the one string Unapplied keeps per chat) and resend hash. */
  chats: string[];
  hashes: Int32Array;
}

/**
 * What the log holds that SQLite does not yet, so reads and resend checks see every
 * logged message without waiting for SQLite; and each chat's last seq, so an append
 * takes its seq without a write to SQLite. Holds only while this process is the one
 * writer of the file (the exclusive DATA_DIR lock).
 *
 * Kept compact: the records stay as the bytes written to the log (outside V8's heap),
 * each known by a number (its order in the log since the store opened), and the
 * indexes hold only those numbers and 30-bit hashes. A message is decoded when read.
 * Why: at 2,000 msg/s a minute of messages as JavaScript objects (a record, strings,
 * map keys) made V8's full collections pause the event loop 12-24 ms and cost about
 * a tenth more CPU per message (bench/README.md).
 */
export class Unapplied {
  private batches: HeldBatch[] = [];
  /** Number of the first record held, and of the next one added. */
  private first = 0;
  private next = 0;
  /** A chat's records in seq order (by number), for chats appended to since their last apply. */
  private readonly byChat = new Map<string, number[]>();
  /** Resend hash -> the record with it; a record whose hash was taken goes to `collided`. */
  private readonly byHash = new Map<number, number>();
  private readonly collided = new Map<string, number>();
  /** Chats deleted while records of them were held: those are never read again. */
  private readonly dropped = new Set<string>();
  /** The last seq of chats appended to since this process read it from SQLite. */
  readonly lastSeq = new Map<string, number>();
  /** Log position up to which every record is in SQLite and on disk there: the log may be reused up to here. */
  durablePos = 0;

  /** How many records are held. */
  get size(): number {
    return this.next - this.first;
  }

  /** The log position at which the last record held ends (durablePos when none is). */
  get endPos(): number {
    return this.batches.length ? this.batches[this.batches.length - 1]!.end : this.durablePos;
  }

  /** Holds a batch just written; `messages` are its records' messages, in order. */
  add(batch: WrittenBatch, messages: readonly LoggedMessage[]): void {
    const chats: string[] = [];
    const hashes = new Int32Array(messages.length);
    messages.forEach((m, i) => {
      const n = this.next + i;
      // the chat id string kept once, so a batch holds no string of its own
      const chat = this.canonical(m.chatId);
      chats.push(chat);
      let list = this.byChat.get(chat);
      if (!list) this.byChat.set(chat, (list = []));
      list.push(n);
      const h = (hashes[i] = resendHash(m.chatId, m.senderId, m.clientMsgId));
      if (this.byHash.has(h)) this.collided.set(resendKey(m.chatId, m.senderId, m.clientMsgId), n);
      else this.byHash.set(h, n);
      this.lastSeq.set(chat, m.seq);
    });
    this.batches.push({ ...batch, first: this.next, chats, hashes });
    this.next += messages.length;
  }

  /** One string per chat, shared by every record of it that a batch notes. */
  private readonly names = new Map<string, string>();
  private canonical(chatId: string): string {
    let name = this.names.get(chatId);
    if (name === undefined) this.names.set(chatId, (name = chatId));
    return name;
  }

  /** The record numbered n, decoded. */
  private get(n: number): LoggedMessage {
    const b = this.batchOf(n);
    const i = n - b.first;
    return decodeRecord(b.records, b.starts[i]!, b.starts[i + 1]!);
  }

  private batchOf(n: number): HeldBatch {
    let lo = 0;
    let hi = this.batches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.batches[mid]!.first <= n) lo = mid;
      else hi = mid - 1;
    }
    return this.batches[lo]!;
  }

  find(chatId: string, senderId: string, clientMsgId: string): LoggedMessage | undefined {
    if (this.dropped.has(chatId)) return undefined;
    const n = this.byHash.get(resendHash(chatId, senderId, clientMsgId));
    if (n !== undefined) {
      const m = this.get(n);
      if (m.chatId === chatId && m.senderId === senderId && m.clientMsgId === clientMsgId) return m;
    }
    // another key had the hash first (and may be gone since)
    const other = this.collided.size ? this.collided.get(resendKey(chatId, senderId, clientMsgId)) : undefined;
    return other === undefined ? undefined : this.get(other);
  }

  /** How many of the chat's messages are held, and the i-th of them in seq order. */
  countOf(chatId: string): number {
    return this.byChat.get(chatId)?.length ?? 0;
  }
  at(chatId: string, i: number): LoggedMessage {
    return this.get(this.byChat.get(chatId)![i]!);
  }

  /** The chat's messages held, in seq order. */
  ofChat(chatId: string): LoggedMessage[] {
    return (this.byChat.get(chatId) ?? []).map((n) => this.get(n));
  }

  /** Every record held, as the bytes written (for an apply): from the first to the last. */
  held(): { records: Buffer[]; from: number; to: number } {
    return { records: this.batches.map((b) => b.records), from: this.durablePos, to: this.endPos };
  }

  /**
   * Every record up to log position `pos` is committed to SQLite, durably: out of
   * memory, at most `max` batches at a time so that the event loop is not held long.
   * True once every batch up to `pos` is out.
   */
  appliedThroughSome(pos: number, max: number): boolean {
    let k = 0;
    const perChat = new Map<string, number>();
    while (k < this.batches.length && k < max && this.batches[k]!.end <= pos) {
      const b = this.batches[k]!;
      for (let i = 0; i < b.chats.length; i++) {
        const n = b.first + i;
        const chat = b.chats[i]!;
        perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
        const h = b.hashes[i]!;
        if (this.byHash.get(h) === n) this.byHash.delete(h);
        else if (this.collided.size) {
          const m = decodeRecord(b.records, b.starts[i]!, b.starts[i + 1]!);
          this.collided.delete(resendKey(m.chatId, m.senderId, m.clientMsgId));
        }
      }
      this.first = b.first + b.chats.length;
      k++;
    }
    this.batches.splice(0, k);
    // a chat's records are in log order: the first ones held are the ones out
    for (const [chatId, count] of perChat) {
      const list = this.byChat.get(chatId);
      if (!list) continue; // dropped or settled (forget) meanwhile
      let out = 0;
      while (out < list.length && out < count && list[out]! < this.first) out++;
      list.splice(0, out);
      if (list.length === 0) this.byChat.delete(chatId);
    }
    if (this.batches.length === 0) {
      this.dropped.clear();
      // chats written to again are named again; the seqs known stay
      this.names.clear();
    }
    if (this.batches.length > 0 && this.batches[0]!.end <= pos) return false;
    this.durablePos = Math.max(this.durablePos, pos);
    return true;
  }

  appliedThrough(pos: number): void {
    while (!this.appliedThroughSome(pos, Infinity));
  }

  /** The chat was deleted: its records are never applied nor read, its seq is forgotten. */
  drop(chatId: string): void {
    // records of it may be held even when none is listed for reads (settled)
    if (this.batches.length) this.dropped.add(chatId);
    this.byChat.delete(chatId);
    this.lastSeq.delete(chatId);
  }

  /**
   * The chat's records are in SQLite (a transaction of the main connection applied
   * them), and SQLite's greatest seq is its truth again: reads and seqs go there. The
   * records stay for the applier, which skips what is stored.
   */
  settled(chatId: string): void {
    this.byChat.delete(chatId);
    this.lastSeq.delete(chatId);
  }
}
