// The relay over HTTP as a browser meets it: the web client's security headers, JSON
// only on the API, browser origins limited to the relay's own (and the desktop app's,
// and ALLOWED_ORIGINS), missing files answering 404 instead of the page, per-address
// limits on sign-up and sign-in, the cap on password hashes waiting, and TRUST_PROXY.
import { resolve } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, uniqueName } from '../helpers/clients';
import { httpPost } from '../helpers/fault-sockets';
import { startRelay, type RelayProcess } from '../helpers/relay-process';

// The renderer's source folder has the page (index.html) without a build.
const WEB_DIR = resolve(import.meta.dirname, '../../renderer');
const relays: RelayProcess[] = [];
async function relayWith(env: Record<string, string>): Promise<RelayProcess> {
  const r = await startRelay({ env: { WEB_DIR, ...env } });
  relays.push(r);
  return r;
}
afterAll(async () => {
  for (const r of relays) {
    await r.stop();
    r.cleanup();
  }
});

const json = (body: unknown, headers: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...headers, body: JSON.stringify(body) });
async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const { body: text, ...h } = json(body, headers);
  return httpPost(url, path, text, h);
}
const errorCode = (r: { json: unknown }) => (r.json as { error?: { code?: string } } | undefined)?.error?.code;

function socketOutcome(url: string, token: string, origin?: string): Promise<'connected' | string> {
  const socket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(origin ? { extraHeaders: { origin } } : {}),
  });
  return new Promise((r) => {
    socket.once('connect', () => {
      socket.close();
      r('connected');
    });
    socket.once('connect_error', (err) => {
      socket.close();
      r(err.message);
    });
  });
}

describe('the web client over HTTP', () => {
  let relay: RelayProcess;
  beforeAll(async () => {
    relay = await relayWith({ ALLOWED_ORIGINS: 'https://chat.example.org' });
  });

  it('is served with a CSP that connects only to this relay, never framed, no referrer, no sniffing', async () => {
    const res = await fetch(`${relay.url}/`);
    expect(res.status).toBe(200);
    const host = new URL(relay.url).host;
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const api = await post(relay.url, '/api/login', { username: 'nobody_here', password: 'whatever1' });
    expect(api.status).toBe(401);
  });

  it('answers 404 for files that are not there, and the page for other page paths', async () => {
    for (const path of ['/favicon.ico', '/assets/gone-1234.js', '/robots.txt']) {
      const res = await fetch(`${relay.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('<div id="app">');
    }
    const page = await fetch(`${relay.url}/chats/somewhere`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
  });

  it('reads only JSON bodies: a form or text post is bad_request and creates nothing', async () => {
    const username = uniqueName('form');
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const res = await httpPost(relay.url, '/api/register', JSON.stringify({ username, password: 'correct horse' }), { 'content-type': type });
      expect(res.status, type).toBe(400);
      expect(errorCode(res), type).toBe('bad_request');
    }
    const noType = await httpPost(relay.url, '/api/register', JSON.stringify({ username, password: 'correct horse' }));
    expect(noType.status).toBe(400);
    expect((await post(relay.url, '/api/login', { username, password: 'correct horse' })).status).toBe(401);
    // A body-less logout needs no content type.
    expect((await httpPost(relay.url, '/api/logout', undefined, { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('refuses browser requests from other sites, on the API and on socket.io', async () => {
    const own = relay.url;
    const username = uniqueName('origin');
    const evil = await post(relay.url, '/api/register', { username, password: 'correct horse' }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(errorCode(evil)).toBe('forbidden');
    expect((await post(relay.url, '/api/login', { username, password: 'correct horse' })).status).toBe(401);
    expect((await post(relay.url, '/api/register', { username, password: 'correct horse' }, { origin: 'null' })).status).toBe(403);

    const mine = await post(relay.url, '/api/register', { username, password: 'correct horse' }, { origin: own });
    expect(mine.status).toBe(201);
    expect((await post(relay.url, '/api/login', { username, password: 'correct horse' }, { origin: 'https://chat.example.org' })).status).toBe(200);
    expect((await post(relay.url, '/api/login', { username, password: 'correct horse' }, { origin: 'app://renderer' })).status).toBe(200);

    const { token } = mine.json as { token: string };
    expect(await socketOutcome(relay.url, token, 'https://evil.example')).not.toBe('connected');
    expect(await socketOutcome(relay.url, token, own)).toBe('connected');
    expect(await socketOutcome(relay.url, token, 'https://chat.example.org')).toBe('connected');
    // Not a browser (the desktop app's main process, scripts): no Origin, judged by the token.
    expect(await socketOutcome(relay.url, token)).toBe('connected');
  });
});

describe('sign-up and sign-in floods', () => {
  it('limits accounts created per address, whatever the usernames', async () => {
    const relay = await relayWith({ REGISTRATIONS_PER_ADDRESS: '3' });
    for (let i = 0; i < 3; i++) await register(relay.url);
    const fourth = await post(relay.url, '/api/register', { username: uniqueName('r'), password: 'correct horse' });
    expect(fourth.status).toBe(429);
    expect(errorCode(fourth)).toBe('rate_limited');
    expect(fourth.text).not.toContain('token');
  });

  it('limits sign-in attempts per address, whatever the usernames; a successful one gives its attempt back', async () => {
    const relay = await relayWith({ LOGIN_ATTEMPTS_PER_ADDRESS: '5' });
    const { user } = await register(relay.url);
    for (let i = 0; i < 8; i++) {
      expect((await post(relay.url, '/api/login', { username: user.username, password: 'correct horse' })).status).toBe(200);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(relay.url, '/api/login', { username: uniqueName('rand'), password: 'whatever1' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const refused = await post(relay.url, '/api/login', { username: user.username, password: 'correct horse' });
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('rate_limited');
  });

  it('behind TRUST_PROXY, limits key on the client address the proxy reports', async () => {
    const relay = await relayWith({ LOGIN_ATTEMPTS_PER_ADDRESS: '2', TRUST_PROXY: '1' });
    const attempt = (ip: string) => post(relay.url, '/api/login', { username: uniqueName('p'), password: 'whatever1' }, { 'x-forwarded-for': ip });
    expect((await attempt('198.51.100.7')).status).toBe(401);
    expect((await attempt('198.51.100.7')).status).toBe(401);
    expect((await attempt('198.51.100.7')).status).toBe(429);
    expect((await attempt('203.0.113.9')).status).toBe(401);
    // Without TRUST_PROXY the header is anyone's to write: it is ignored.
    const direct = await relayWith({ LOGIN_ATTEMPTS_PER_ADDRESS: '2' });
    const viaDirect = (ip: string) => post(direct.url, '/api/login', { username: uniqueName('d'), password: 'whatever1' }, { 'x-forwarded-for': ip });
    expect([(await viaDirect('1.1.1.1')).status, (await viaDirect('2.2.2.2')).status, (await viaDirect('3.3.3.3')).status]).toEqual([401, 401, 429]);
  });

  it('beyond the cap on password hashes waiting, a sign-in is refused at once with 429, never queued or failed', async () => {
    const relay = await relayWith({ MAX_PASSWORD_HASHES: '2' });
    const { user } = await register(relay.url);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => post(relay.url, '/api/login', { username: i % 2 ? user.username : uniqueName('f'), password: i % 2 ? 'correct horse' : 'whatever1' })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 401 || s === 429), statuses.join(',')).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    for (const r of results.filter((x) => x.status === 429)) expect(errorCode(r)).toBe('rate_limited');
    // Once the flood is over, signing in works at once: refused attempts used up nothing.
    expect((await post(relay.url, '/api/login', { username: user.username, password: 'correct horse' })).status).toBe(200);
  });
});
