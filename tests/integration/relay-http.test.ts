// docs/protocol.md "HTTP" and the socket handshake: register, login, logout, healthz, and
// connect_error `unauthorized` for missing, unknown and revoked tokens.
import { describe, expect, it } from 'vitest';
import type { AuthResult } from '../../protocol/types';
import { useRelay } from '../helpers/use-relay';
import { connect, ok, register, uniqueName } from '../helpers/clients';
import { post } from '../helpers/scenarios';
import { io } from 'socket.io-client';

const relay = useRelay();

const PW = 'correct horse';

function expectHttpError(r: { status: number; body: unknown }, status: number, code: string): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toMatchObject({ error: { code } });
  expect(typeof (r.body as { error: { message: unknown } }).error.message).toBe('string');
}

/** Connects with arbitrary auth and resolves with the connect_error message. */
function connectError(auth: Record<string, unknown> | undefined): Promise<string> {
  const socket = io(relay.url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.close();
      reject(new Error('connected without a valid token'));
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err.message);
    });
  });
}

describe('POST /api/register', () => {
  it('201 with token and user; displayName defaults to the username', async () => {
    const name = uniqueName('reg');
    const r = await post(relay.url, '/api/register', { username: name, password: PW });
    expect(r.status).toBe(201);
    const body = r.body as AuthResult;
    expect(typeof body.token).toBe('string');
    expect(body.token.length).toBeGreaterThan(0);
    expect(body.user).toEqual({ id: expect.any(String), username: name, displayName: name });
  });

  it('stores the username lower-case and keeps the given displayName', async () => {
    const name = `MiXeD${uniqueName('')}`.slice(0, 32);
    const r = await post(relay.url, '/api/register', { username: name, password: PW, displayName: 'Mixed Person' });
    expect(r.status).toBe(201);
    expect((r.body as AuthResult).user).toMatchObject({ username: name.toLowerCase(), displayName: 'Mixed Person' });
  });

  it('409 username_taken, compared case-insensitively', async () => {
    const name = uniqueName('bob');
    await register(relay.url, name);
    expectHttpError(await post(relay.url, '/api/register', { username: name, password: PW }), 409, 'username_taken');
    expectHttpError(await post(relay.url, '/api/register', { username: name.toUpperCase(), password: PW }), 409, 'username_taken');
  });

  it('accepts the limits exactly: 3 and 32 char usernames, 8 and 256 char passwords, 64 char displayName', async () => {
    const n3 = `${String.fromCharCode(97 + Math.floor(Math.random() * 26))}${Date.now() % 100}`.padEnd(3, 'x').slice(0, 3);
    const r3 = await post(relay.url, '/api/register', { username: n3, password: 'x'.repeat(8) });
    // a 3-char name might collide with an earlier run's data dir only if reused; this dir is fresh
    expect(r3.status).toBe(201);
    const n32 = `${uniqueName('l')}_${'z'.repeat(32)}`.slice(0, 32);
    expect((await post(relay.url, '/api/register', { username: n32, password: 'p'.repeat(256), displayName: 'd'.repeat(64) })).status).toBe(201);
    const dotted = `${uniqueName('a.b-c_')}`.slice(0, 32);
    expect((await post(relay.url, '/api/register', { username: dotted, password: PW })).status).toBe(201);
  });

  const bad: [string, unknown][] = [
    ['username with a space', { username: 'bad name', password: PW }],
    ['username with !', { username: 'bad!name', password: PW }],
    ['username with non-ASCII', { username: 'ünïcode', password: PW }],
    ['username of 2 chars', { username: 'ab', password: PW }],
    ['username of 33 chars', { username: 'a'.repeat(33), password: PW }],
    ['password of 7 chars', { username: 'shortpw_user', password: '1234567' }],
    ['password of 257 chars', { username: 'longpw_user', password: 'p'.repeat(257) }],
    ['empty displayName', { username: 'emptydn_user', password: PW, displayName: '' }],
    ['displayName of 65 chars', { username: 'longdn_user', password: PW, displayName: 'd'.repeat(65) }],
    ['username as a number', { username: 12345, password: PW }],
    ['password as a boolean', { username: 'typed_user', password: true }],
    ['missing password', { username: 'nopw_user' }],
    ['missing username', { password: PW }],
    ['operator object as username', { username: { $gt: '' }, password: PW }],
    ['operator object as password', { username: 'op_user', password: { $ne: null } }],
    ['unknown field', { username: 'extra_user', password: PW, admin: true }],
    ['an array body', [{ username: 'arr_user', password: PW }]],
    ['a JSON string body', JSON.stringify('just a string')],
    ['null body', 'null'],
  ];
  for (const [why, body] of bad) {
    it(`400 bad_request for ${why}`, async () => {
      expectHttpError(await post(relay.url, '/api/register', body), 400, 'bad_request');
    });
  }

  it('400 bad_request for a body that is not JSON', async () => {
    expectHttpError(await post(relay.url, '/api/register', '{"username": "x", '), 400, 'bad_request');
    expectHttpError(await post(relay.url, '/api/register', 'username=x&password=y', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'bad_request');
  });

  it('400 bad_request for an oversized body, and the relay keeps serving', async () => {
    const huge = JSON.stringify({ username: 'huge_user', password: PW, displayName: 'x'.repeat(2_000_000) });
    expectHttpError(await post(relay.url, '/api/register', huge), 400, 'bad_request');
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
  });

  it('nothing is created by a refused registration', async () => {
    const name = uniqueName('nope');
    expectHttpError(await post(relay.url, '/api/register', { username: name, password: 'short' }), 400, 'bad_request');
    expect((await post(relay.url, '/api/register', { username: name, password: PW })).status).toBe(201);
  });
});

describe('POST /api/login', () => {
  it('200 {token, user} with the right password, case-insensitive username; a new token each time', async () => {
    const name = uniqueName('log');
    const reg = await register(relay.url, name, PW, 'Log Person');
    const r = await post(relay.url, '/api/login', { username: name.toUpperCase(), password: PW });
    expect(r.status).toBe(200);
    const body = r.body as AuthResult;
    expect(body.user).toEqual(reg.user);
    expect(typeof body.token).toBe('string');
    expect(body.token).not.toBe(reg.token);
    // both tokens work
    const s1 = await connect(relay.url, reg.token);
    const s2 = await connect(relay.url, body.token);
    s1.close();
    s2.close();
  });

  it('401 unauthorized for a wrong password or an unknown user', async () => {
    const name = uniqueName('log');
    await register(relay.url, name, PW);
    expectHttpError(await post(relay.url, '/api/login', { username: name, password: 'wrong password' }), 401, 'unauthorized');
    expectHttpError(await post(relay.url, '/api/login', { username: uniqueName('ghost'), password: PW }), 401, 'unauthorized');
  });

  it('a few mistyped passwords answer 401 each, and the right password still signs in afterwards', async () => {
    // a normal user's typos; the brute-force lockout (limits-login.test.ts) is far above this
    const name = uniqueName('typo');
    await register(relay.url, name, PW);
    for (let i = 0; i < 5; i++) expectHttpError(await post(relay.url, '/api/login', { username: name, password: `wrong ${i} password` }), 401, 'unauthorized');
    expect((await post(relay.url, '/api/login', { username: name, password: PW })).status).toBe(200);
  });

  it('400 bad_request for malformed bodies', async () => {
    expectHttpError(await post(relay.url, '/api/login', { username: 'someone' }), 400, 'bad_request');
    expectHttpError(await post(relay.url, '/api/login', { username: { $gt: '' }, password: { $gt: '' } }), 400, 'bad_request');
    expectHttpError(await post(relay.url, '/api/login', { username: 'someone', password: PW, extra: 1 }), 400, 'bad_request');
    expectHttpError(await post(relay.url, '/api/login', 'not json'), 400, 'bad_request');
    expectHttpError(await post(relay.url, '/api/login', { username: 42, password: PW }), 400, 'bad_request');
  });
});

describe('POST /api/logout', () => {
  it('204, disconnects that token’s sockets (not the user’s other tokens), and the token no longer connects', async () => {
    const name = uniqueName('out');
    const reg = await register(relay.url, name, PW);
    const other = (await post(relay.url, '/api/login', { username: name, password: PW })).body as AuthResult;
    const s1 = await connect(relay.url, reg.token);
    const s2 = await connect(relay.url, reg.token);
    const keep = await connect(relay.url, other.token);
    const gone = [s1, s2].map((s) => new Promise<void>((res) => s.once('disconnect', () => res())));
    let keptDropped = false;
    keep.once('disconnect', () => (keptDropped = true));

    const r = await fetch(`${relay.url}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${reg.token}` } });
    expect(r.status).toBe(204);
    await Promise.all(gone);
    expect(await connectError({ token: reg.token })).toBe('unauthorized');
    // the other session is untouched and still answers
    expect(keptDropped).toBe(false);
    expect((await ok(keep, 'chat:list', {})).chats).toEqual([]);
    // the revoked token cannot log out again
    const again = await fetch(`${relay.url}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${reg.token}` } });
    expect(again.status).toBe(401);
    keep.close();
  });

  it('401 unauthorized with a bad token or none', async () => {
    const bad = await fetch(`${relay.url}/api/logout`, { method: 'POST', headers: { authorization: 'Bearer not-a-real-token' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const none = await fetch(`${relay.url}/api/logout`, { method: 'POST' });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });
});

describe('GET /healthz', () => {
  it('200 {ok: true}', async () => {
    const r = await fetch(`${relay.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true });
  });
});

describe('socket handshake', () => {
  it('connect_error unauthorized without a token, with an unknown token, or a non-string token', async () => {
    expect(await connectError(undefined)).toBe('unauthorized');
    expect(await connectError({})).toBe('unauthorized');
    expect(await connectError({ token: 'definitely-not-a-token' })).toBe('unauthorized');
    expect(await connectError({ token: { $gt: '' } })).toBe('unauthorized');
    expect(await connectError({ token: '' })).toBe('unauthorized');
  });

  it('a valid token connects', async () => {
    const reg = await register(relay.url);
    const s = await connect(relay.url, reg.token);
    expect(s.connected).toBe(true);
    s.close();
  });
});
