// Property-based fuzzing of every client event and the HTTP account endpoints against
// a real relay. The oracle is the protocol's: a payload the schema refuses answers
// bad_request, one it accepts answers ok or a listed refusal (never internal); the
// relay stays up, the fuzzing socket stays connected, and nobody's data changes.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSchemas, loginBody, registerBody } from '../../protocol/schemas';
import type { Chat, ClientEvent } from '../../protocol/types';
import { befriend, inviteAndAccept, ok, signUp, sleep, waitFor, type TestUser } from '../helpers/clients';
import { anything, binary, deepNest, fieldsPayload, hasBinary, hostileKey, onTheWire, operatorObject, weird, withKeys } from '../helpers/fault-payloads';
import { asWireError, healthz, httpPost, rawCall, rawEmit, snapshot, type Snapshot } from '../helpers/fault-sockets';
import { startRelay, type RelayProcess } from '../helpers/relay-process';
import { NOTHING_MORE_MS } from '../helpers/scenarios';

const EVENTS = Object.keys(clientSchemas) as ClientEvent[];
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

let relay: RelayProcess;
let f: TestUser; // the fuzzer
let b: TestUser; // a bystander: friend of f, in a chat with f and one without
let c: TestUser;
let d: TestUser;
let k1: TestUser; // a control pair that only chats
let k2: TestUser;
let fb: Chat;
let bc: Chat;
let kk: Chat;
let inviteBD: string;
let before: { f: Snapshot; b: Snapshot };

beforeAll(async () => {
  relay = await startRelay();
  [f, b, c, d, k1, k2] = await Promise.all(['f', 'b', 'c', 'd', 'k', 'k'].map((p) => signUp(relay.url, p)));
  await befriend(f, b);
  fb = await inviteAndAccept(f, b);
  await befriend(b, c);
  bc = await inviteAndAccept(b, c);
  await befriend(b, d);
  inviteBD = (await ok(b.socket, 'invite:create', { to: d.user.username })).invite.id;
  await befriend(k1, k2);
  kk = await inviteAndAccept(k1, k2);
  for (let i = 0; i < 3; i++) await ok(f.socket, 'chat:send', { chatId: fb.id, clientMsgId: `f${i}`, body: `from f ${i}` });
  for (let i = 0; i < 2; i++) await ok(b.socket, 'chat:send', { chatId: fb.id, clientMsgId: `b${i}`, body: `from b ${i}` });
  for (let i = 0; i < 3; i++) await ok(c.socket, 'chat:send', { chatId: bc.id, clientMsgId: `c${i}`, body: `from c ${i}` });
  await ok(b.socket, 'chat:read', { chatId: bc.id, seq: 2 });
  before = { f: await snapshot(f.socket), b: await snapshot(b.socket) };
});

afterAll(async () => {
  for (const u of [f, b, c, d, k1, k2]) u?.socket.close();
  await relay?.stop();
  relay?.cleanup();
});

/*
 * Field pools. Real ids appear only where using them cannot change anything: the
 * chat of b and c (f is no member), b's invite to d (f is a third party), b's name as
 * an invitee (f and b already share their direct chat), f's own name (bad_request).
 * A chat f belongs to or a name f could befriend never appears, so even a payload
 * that happens to be valid leaves every snapshot as it was.
 */
function pools() {
  const self = fc.constantFrom(f.user.username, f.user.username.toUpperCase());
  const name = fc.oneof(self, fc.constant('nobody_here_at_all'), fc.stringMatching(/^[a-z0-9_.-]{3,32}$/), weird);
  const invitee = fc.oneof(name, fc.constantFrom(b.user.username, c.user.username, d.user.username));
  const chatId = fc.oneof(fc.constant(bc.id), fc.constant(randomUUID()), fc.uuid(), fc.string({ minLength: 1, maxLength: 130 }), weird);
  const inviteId = fc.oneof(fc.constant(inviteBD), fc.uuid(), fc.string({ maxLength: 130 }), weird);
  const clientMsgId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.constant('x'.repeat(65)), weird);
  const body = fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('   ', '\n', 'x'.repeat(4000), 'x'.repeat(4001), ` ${'y'.repeat(4000)} `), weird);
  const seq = fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), weird);
  const limit = fc.oneof(fc.integer({ min: -2, max: 300 }), weird);
  const fields: Record<ClientEvent, Record<string, fc.Arbitrary<unknown>>> = {
    'friends:list': {},
    'friends:request': { username: name },
    'friends:accept': { username: name },
    'friends:decline': { username: name },
    'friends:remove': { username: name },
    'invite:create': { to: invitee, chatId },
    'invite:accept': { inviteId },
    'invite:reject': { inviteId },
    'invite:cancel': { inviteId },
    'invite:list': {},
    'chat:list': {},
    'chat:history': { chatId, before: seq, after: seq, limit },
    'chat:send': { chatId, clientMsgId, body },
    'chat:leave': { chatId },
    'chat:typing': { chatId },
    'chat:read': { chatId, seq },
  };
  return fields;
}

type Mode = 'ack' | 'noAck' | 'extraArgs' | 'ackOnly';

function payloadFor(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const names = Object.keys(fields);
  const withBinary = fc
    .tuple(fieldsPayload(fields), fc.constantFrom(...(names.length ? names : ['x'])), binary)
    .map(([p, k, buf]) => withKeys(p, [[k, buf]]));
  return fc.oneof(
    { weight: 6, arbitrary: fieldsPayload(fields) },
    { weight: 3, arbitrary: anything },
    { weight: 1, arbitrary: operatorObject },
    { weight: 1, arbitrary: fc.array(fc.tuple(hostileKey, weird), { maxLength: 3 }).map((kv) => withKeys({}, kv)) },
    { weight: 1, arbitrary: deepNest },
    { weight: 1, arbitrary: binary },
    { weight: 1, arbitrary: withBinary },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, 0, '', [], 'payload', true) },
  );
}

const modes = fc.constantFrom<Mode>('ack', 'ack', 'ack', 'noAck', 'extraArgs', 'ackOnly');

/** docs/protocol.md: inviting or befriending yourself is bad_request even though the shape is valid. */
function namesSelf(wire: unknown): boolean {
  if (typeof wire !== 'object' || wire === null) return false;
  const { username, to } = wire as { username?: unknown; to?: unknown };
  const name = typeof username === 'string' ? username : typeof to === 'string' ? to : '';
  return name.toLowerCase() === f.user.username;
}

/** Asserts the ack against the schema oracle; `lenient` also allows bad_request for valid payloads. */
function checkAck(event: string, args: unknown[], res: unknown, lenient: boolean): void {
  const schema = clientSchemas[event as ClientEvent];
  const valid = schema !== undefined && !hasBinary(args[0]) && schema.safeParse(onTheWire(args)).success;
  lenient ||= valid && namesSelf(onTheWire(args));
  const shown = () => `${event} ${JSON.stringify(args).slice(0, 300)} -> ${JSON.stringify(res).slice(0, 300)}`;
  if (typeof res === 'object' && res !== null && (res as { ok?: unknown }).ok === true) {
    expect(valid, `ok for a payload the schema refuses: ${shown()}`).toBe(true);
    return;
  }
  const err = asWireError(res);
  expect(err, `not a protocol refusal: ${shown()}`).not.toBeNull();
  expect(err!.code, `internal for bad input: ${shown()}`).not.toBe('internal');
  if (!valid) expect(err!.code, shown()).toBe('bad_request');
  else if (!lenient) expect(err!.code, `a valid payload refused as bad_request: ${shown()}`).not.toBe('bad_request');
}

describe('fuzzing socket events', () => {
  it.each(EVENTS)('%s: every malformed payload is bad_request, nothing else breaks', async (event) => {
    const fields = pools()[event];
    await fc.assert(
      fc.asyncProperty(payloadFor(fields), modes, fc.array(weird, { minLength: 1, maxLength: 2 }), async (payload, mode, extra) => {
        if (mode === 'noAck') {
          rawEmit(f.socket, event, [payload]);
        } else {
          const args = mode === 'ackOnly' ? [] : mode === 'extraArgs' ? [payload, ...extra] : [payload];
          const res = await rawCall(f.socket, event, args);
          checkAck(event, args, res, mode === 'extraArgs');
        }
        expect(f.socket.connected, `${event} disconnected the fuzzing socket`).toBe(true);
      }),
      { numRuns: RUNS },
    );
    // an event sent without an ack is still processed in order; this ack proves the socket works
    await sleep(20);
    const list = await rawCall(f.socket, 'chat:list', [{}]);
    expect(list).toMatchObject({ ok: true });
  });

  it('unknown event names answer bad_request', async () => {
    const reserved = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
    const names = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'toString', 'chat:send ', 'CHAT:SEND', 'chat:*', 'x'.repeat(5000)));
    await fc.assert(
      fc.asyncProperty(
        names.filter((n) => !reserved.has(n) && !(EVENTS as string[]).includes(n)),
        payloadFor({}),
        async (name, payload) => {
          const res = await rawCall(f.socket, name, [payload]);
          const err = asWireError(res);
          expect(err?.code, `${name} -> ${JSON.stringify(res)}`).toBe('bad_request');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a 60 KB field (under the transport limit) is bad_request and the socket stays', async () => {
    for (const event of EVENTS) {
      const res = await rawCall(f.socket, event, [{ chatId: 'x'.repeat(60_000) }]);
      expect(asWireError(res)?.code, event).toBe('bad_request');
    }
    expect(f.socket.connected).toBe(true);
  });

  it('raw malformed socket.io packets hurt nobody but their sender', async () => {
    const victim = await signUp(relay.url, 'v');
    const engine = (victim.socket.io as unknown as { engine: { write(msg: string): void } }).engine;
    const offline = waitFor(b.socket, 'presence', (p) => p.user.id === f.user.id && !p.online, 1500).then(
      () => true,
      () => false,
    );
    for (const packet of [
      '2["disconnect"]',
      '2["connect"]',
      '2["newListener","chat:send"]',
      '2[',
      '2{"a":1}',
      '2[null]',
      '2[5,{}]',
      '21["chat:send",{"chatId":"x"}',
      '51-["chat:send",{"_placeholder":true,"num":7}]',
      '9',
      '0/nope,',
      '2/nope,["chat:list",{}]',
      '1',
    ]) {
      engine.write(packet);
    }
    await sleep(NOTHING_MORE_MS);
    // whatever happened to the sender, everyone else is untouched
    expect(await offline).toBe(false);
    expect(f.socket.connected).toBe(true);
    expect(b.socket.connected).toBe(true);
    victim.socket.close();
  });

  it('afterwards the relay is healthy, the control pair chats, and no data changed', async () => {
    expect(relay.child.exitCode).toBeNull();
    expect((await healthz(relay.url)).status).toBe(200);
    const got = waitFor(k2.socket, 'chat:message', (p) => p.message.clientMsgId === 'control');
    const sent = await ok(k1.socket, 'chat:send', { chatId: kk.id, clientMsgId: 'control', body: 'still fine' });
    expect((await got).message).toEqual(sent.message);
    await sleep(1100); // let the per-second event budget the fuzzing used refill
    expect(await snapshot(f.socket)).toEqual(before.f);
    expect(await snapshot(b.socket)).toEqual(before.b);
  });
});

describe('fuzzing HTTP account bodies', () => {
  type Expect = { ok: number[]; schema: typeof registerBody | typeof loginBody };
  const endpoints: Record<string, Expect> = {
    '/api/register': { ok: [201, 409], schema: registerBody },
    '/api/login': { ok: [200, 401, 429], schema: loginBody },
  };

  const bodyText = fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    {
      weight: 4,
      arbitrary: fieldsPayload({
        username: fc.oneof(fc.stringMatching(/^[a-zA-Z0-9_.-]{3,32}$/), weird),
        password: fc.oneof(fc.string({ minLength: 8, maxLength: 40 }), fc.string({ maxLength: 7 }), fc.constant('p'.repeat(257)), weird),
        displayName: fc.oneof(fc.string({ maxLength: 70 }), weird),
      }).map((v) => JSON.stringify(v)),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '{"username":', 'null', '[]', '"str"', '1e999', '{"username":"abc","password":"x"}garbage', '\ufeff{}', 'username=abc&password=12345678') },
    { weight: 1, arbitrary: deepNest.map((v) => JSON.stringify(v)) },
  );
  const bodyBytes = fc.oneof(bodyText.map((s) => new TextEncoder().encode(s)), fc.uint8Array({ maxLength: 300 }));
  const contentType = fc.constantFrom<string | undefined>(
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/json; charset=bogus',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/xml',
    '*/*',
    undefined,
  );
  const encoding = fc.constantFrom<string | undefined>(undefined, undefined, undefined, 'identity', 'bogus', 'x-unknown');

  /** What a valid body would be, read the way the relay reads it (UTF-8 JSON). */
  function schemaAccepts(schema: Expect['schema'], bytes: Uint8Array, type: string | undefined, enc: string | undefined): boolean {
    if (enc !== undefined && enc !== 'identity') return false;
    if (type?.includes('charset=') && !type.includes('charset=utf-8')) return false;
    try {
      return schema.safeParse(JSON.parse(new TextDecoder().decode(bytes))).success;
    } catch {
      return false;
    }
  }

  it.each(Object.keys(endpoints))('%s: random bodies answer 400 bad_request (or a legitimate status), never 500', async (path) => {
    const spec = endpoints[path]!;
    await fc.assert(
      fc.asyncProperty(bodyBytes, contentType, encoding, async (bytes, type, enc) => {
        const headers: Record<string, string> = {};
        if (type !== undefined) headers['content-type'] = type;
        if (enc !== undefined) headers['content-encoding'] = enc;
        const res = await httpPost(relay.url, path, bytes, headers);
        const shown = `${path} ${type} ${enc} ${JSON.stringify(new TextDecoder().decode(bytes)).slice(0, 200)} -> ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, shown).not.toBe(500);
        if (schemaAccepts(spec.schema, bytes, type, enc)) {
          // a valid body sent with an odd content type may be read as JSON or refused
          expect([...spec.ok, 400], shown).toContain(res.status);
        } else {
          expect(res.status, shown).toBe(400);
        }
        if (res.status >= 400) {
          const code = (res.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
          expect(typeof code?.code, shown).toBe('string');
          expect(typeof code?.message, shown).toBe('string');
          if (res.status === 400) expect(code?.code, shown).toBe('bad_request');
        }
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 2)) },
    );
    expect(relay.child.exitCode).toBeNull();
    expect((await healthz(relay.url)).status).toBe(200);
  });

  it('a body whose Content-Encoding does not match its bytes is 400 bad_request, not 500', async () => {
    const plain = new TextEncoder().encode(JSON.stringify({ username: 'someone', password: 'secret-password' }));
    for (const path of Object.keys(endpoints)) {
      for (const enc of ['gzip', 'deflate', 'br']) {
        for (const bytes of [plain, new Uint8Array(0), new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0])]) {
          const res = await httpPost(relay.url, path, bytes, { 'content-type': 'application/json', 'content-encoding': enc });
          const shown = `${path} ${enc} ${bytes.length} bytes -> ${res.status} ${res.text}`;
          expect(res.status, shown).toBe(400);
          expect((res.json as { error?: { code?: string } }).error?.code, shown).toBe('bad_request');
        }
      }
    }
    expect((await healthz(relay.url)).status).toBe(200);
  });

  it('/api/logout with random Authorization headers is 401 unauthorized, never 500', async () => {
    const header = fc.oneof(
      fc.stringMatching(/^[\x21-\x7e ]{0,600}$/).map((s) => s.trim()),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,100}$/).map((t) => `Bearer ${t}`),
      fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `Bearer ${'A'.repeat(5000)}`, 'bearer x', 'Bearer a b'),
    );
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const res = await httpPost(relay.url, '/api/logout', undefined, authorization ? { authorization } : {});
        expect(res.status, `${authorization.slice(0, 80)} -> ${res.status} ${res.text}`).toBe(401);
        expect((res.json as { error: { code: string } }).error.code).toBe('unauthorized');
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 2)) },
    );
    // none of that signed the fuzzing user out
    expect(f.socket.connected).toBe(true);
  });

  it('a body over the HTTP size limit is 400, and the relay stays up', async () => {
    const big = JSON.stringify({ username: 'someone', password: 'x'.repeat(100_000) });
    for (const path of Object.keys(endpoints)) {
      const res = await httpPost(relay.url, path, big, { 'content-type': 'application/json' });
      expect(res.status, res.text).toBe(400);
      expect((res.json as { error: { code: string } }).error.code).toBe('bad_request');
    }
    expect((await healthz(relay.url)).status).toBe(200);
  });
});
