// The outbox's clientMsgIds: valid on the wire, distinct, and in the order they were
// made, so that the relay's resend index takes them at the end of the sender's part
// (client/client-msg-id.ts says why).
import { describe, expect, it } from 'vitest';
import { newClientMsgId } from '../../../client/client-msg-id';
import { CLIENT_MSG_ID_RE } from '../../../protocol/schemas';

describe('newClientMsgId', () => {
  it('makes ids the protocol accepts, none twice', () => {
    const ids = Array.from({ length: 2000 }, () => newClientMsgId());
    for (const id of ids) expect(id).toMatch(CLIENT_MSG_ID_RE);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts ids of later milliseconds after earlier ones, as strings', () => {
    const start = Date.parse('2026-12-07T06:00:00Z');
    const ids = [0, 1, 2, 999, 60_000, 86_400_000].map((ms) => newClientMsgId(start + ms));
    expect([...ids].sort()).toEqual(ids);
    // the clock's start and far future keep the same length, so plain string order holds
    expect(newClientMsgId(0)).toHaveLength(32);
    expect(newClientMsgId(Date.parse('3000-01-01T00:00:00Z'))).toHaveLength(32);
    expect(newClientMsgId(0) < newClientMsgId(start)).toBe(true);
  });

  it('keeps ids made in the same millisecond apart by their random part', () => {
    const at = Date.now();
    const ids = Array.from({ length: 500 }, () => newClientMsgId(at));
    expect(new Set(ids.map((id) => id.slice(0, 12))).size).toBe(1);
    expect(new Set(ids).size).toBe(500);
  });
});
