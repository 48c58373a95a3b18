// The outbox's clientMsgIds: valid on the wire, distinct, and each greater than the one
// before, so that the relay's resend index takes them at the end of the sender's part
// and needs no lookup for them (client/client-msg-id.ts says why).
import { describe, expect, it } from 'vitest';
import { newClientMsgId } from '../../../client/client-msg-id';
import { CLIENT_MSG_ID_RE } from '../../../protocol/schemas';

describe('newClientMsgId', () => {
  it('makes ids the protocol accepts, 32 hex digits, none twice', () => {
    const ids = Array.from({ length: 2000 }, () => newClientMsgId());
    for (const id of ids) {
      expect(id).toMatch(CLIENT_MSG_ID_RE);
      expect(id).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('makes each id greater than the last, as strings: later milliseconds, the same one, a clock set back', () => {
    const start = Date.parse('2300-01-01T00:00:00Z');
    const times = [start, start + 1, start + 1, start + 1, start + 999, start - 60_000, start + 86_400_000, start + 86_400_000];
    const ids = times.map((ms) => newClientMsgId(ms));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    // the time leads: a later millisecond starts with a greater prefix
    expect(ids[1]!.slice(0, 12) > ids[0]!.slice(0, 12)).toBe(true);
    // set back, the clock's time is not used: the id keeps the last one's
    expect(ids[5]!.slice(0, 12)).toBe(ids[4]!.slice(0, 12));
  });

  it('keeps ids of one millisecond apart by counting on the random part', () => {
    const at = Date.parse('2400-01-01T00:00:00Z');
    const ids = Array.from({ length: 500 }, () => newClientMsgId(at));
    expect(new Set(ids.map((id) => id.slice(0, 12))).size).toBe(1);
    expect(new Set(ids).size).toBe(500);
    expect([...ids].sort()).toEqual(ids);
  });
});
