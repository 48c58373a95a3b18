// The message log: append-only files beside the SQLite database that make live appends
// durable on their own, when one relay has the DATA_DIR to itself (sqlite.ts). Why:
// committing each group of appends to SQLite writes whole 4 KiB WAL frames for every
// page it touches (message leaves of several chats, the resend index, the chat rows),
// and the checkpoint copies them again, 6-12 KB per message of about a hundred bytes.
// Here a batch is its records written once at the end of a file, made durable by one
// fdatasync; the file is preallocated (zeros written, not a hole) so that fdatasync has
// no size or block map to record. The rows reach SQLite later, many batches in one
// transaction, where a page receives many messages per write instead of a few.
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
// and a chat that no longer exists, and last_seq only rises), so records already
// applied, or of the other segment's older round, may be replayed again in any order.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomInt } from 'node:crypto';

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

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (IEEE) of buf[from, to), continuing from `crc` (node 20 has no zlib.crc32). */
export function crc32(buf: Uint8Array, from = 0, to = buf.length, crc = 0): number {
  let c = ~crc;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
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
  const end = seg.size + GROW_BYTES;
  while (seg.size < end) seg.size += writeSync(seg.fd, PAGE, 0, PAGE.length, seg.size);
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

  /** Writes the batch's records at the end of the log (page cache; the caller flushes). Returns each record's end position. */
  write(messages: readonly LoggedMessage[]): number[] {
    const seg = this.segs[this.current]!;
    const parts = messages.map((m) => encodeRecord(this.epoch, m));
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const records = buf.length;
    while (seg.size < this.offset + records) grow(seg);
    // A batch that failed may have left whole records here: ones never acknowledged,
    // and of this round, so a replay would take them for the next ones. Zeros cover
    // what this batch does not.
    if (this.dirtyUntil > this.offset + records) buf = Buffer.concat([buf, Buffer.alloc(this.dirtyUntil - this.offset - records)]);
    try {
      let done = 0;
      while (done < buf.length) done += writeSync(seg.fd, buf, done, buf.length - done, this.offset + done);
    } catch (e) {
      this.dirtyUntil = Math.max(this.dirtyUntil, this.offset + buf.length);
      throw e;
    }
    this.dirtyUntil = 0;
    const ends: number[] = [];
    let end = this.pos;
    for (const p of parts) ends.push((end += p.length));
    this.offset += records;
    this.pos += records;
    return ends;
  }

  close(): void {
    for (const s of this.segs) closeSync(s.fd);
  }
}

/** A record of the log, with where it ends (MessageLogFile.pos). */
export interface LogEntry extends LoggedMessage {
  end: number;
  /** Its chat was deleted: never applied, never read. */
  dropped: boolean;
}

const resendKey = (chatId: string, senderId: string, clientMsgId: string): string => `${chatId}\n${senderId}\n${clientMsgId}`;

/**
 * What the log holds that SQLite does not yet, in memory, so reads and resend checks
 * see every logged message without waiting for SQLite; and each chat's last seq, so an
 * append takes its seq without a write to the chat's row. Holds only while this process
 * is the one writer of the file (the exclusive DATA_DIR lock).
 */
export class Unapplied {
  /** In log order. */
  readonly list: LogEntry[] = [];
  private readonly byChat = new Map<string, LogEntry[]>();
  private readonly byKey = new Map<string, LogEntry>();
  /** The last seq of chats appended to since this process read it from SQLite. */
  readonly lastSeq = new Map<string, number>();
  /** Log position up to which every record is in SQLite and on disk there: the log may be reused up to here. */
  durablePos = 0;

  add(e: LogEntry): void {
    this.list.push(e);
    const chat = this.byChat.get(e.chatId);
    if (chat) chat.push(e);
    else this.byChat.set(e.chatId, [e]);
    this.byKey.set(resendKey(e.chatId, e.senderId, e.clientMsgId), e);
    this.lastSeq.set(e.chatId, e.seq);
  }

  find(chatId: string, senderId: string, clientMsgId: string): LogEntry | undefined {
    return this.byKey.get(resendKey(chatId, senderId, clientMsgId));
  }

  /**
   * The chat's entries, in seq order. They come after every row SQLite has of the chat,
   * except that the applier thread may have committed some of them already.
   */
  ofChat(chatId: string): readonly LogEntry[] {
    return this.byChat.get(chatId) ?? [];
  }

  /**
   * Every record up to log position `pos` is committed to SQLite, durably. Entries may
   * have been applied twice (by the applier thread and by a transaction of the main
   * connection): applying is idempotent, and this only moves forward.
   */
  appliedThrough(pos: number): void {
    let n = 0;
    while (n < this.list.length && this.list[n]!.end <= pos) n++;
    for (const e of this.list.splice(0, n)) {
      if (e.dropped) continue;
      const chat = this.byChat.get(e.chatId)!;
      chat.shift();
      if (chat.length === 0) this.byChat.delete(e.chatId);
      this.byKey.delete(resendKey(e.chatId, e.senderId, e.clientMsgId));
    }
    this.durablePos = Math.max(this.durablePos, pos);
  }

  /** The chat was deleted: its entries are never applied nor read, its seq is forgotten. */
  drop(chatId: string): void {
    for (const e of this.byChat.get(chatId) ?? []) {
      e.dropped = true;
      this.byKey.delete(resendKey(e.chatId, e.senderId, e.clientMsgId));
    }
    this.byChat.delete(chatId);
    this.lastSeq.delete(chatId);
  }

  /** SQLite's row is the chat's truth again (a transaction took a seq there): read it anew. */
  forget(chatId: string): void {
    this.lastSeq.delete(chatId);
  }
}
