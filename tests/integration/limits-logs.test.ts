// Secrets never reach the logs: with LOG_LEVEL=trace, after every kind of request that
// carries a password or a token (good and bad), the relay's output contains none of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, call, connect, inviteAndAccept, ok, signUp, uniqueName } from '../helpers/clients';
import { httpPost, tryConnect } from '../helpers/fault-sockets';
import { startRelay, type RelayProcess } from '../helpers/relay-process';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelay({ env: { LOG_LEVEL: 'trace' } });
});
afterAll(async () => {
  await relay?.stop();
  relay?.cleanup();
});

const json = { 'content-type': 'application/json' };

describe('logs', () => {
  it('contain no password and no token, even at trace level', async () => {
    const secrets: string[] = [];
    const username = uniqueName('sec');
    const password = `Pw-${Date.now()}-unusual-secret`;
    const wrong = `Wrong-${Date.now()}-guess`;
    secrets.push(password, wrong);

    const reg = await httpPost(relay.url, '/api/register', JSON.stringify({ username, password, displayName: 'Secret Keeper' }), json);
    expect(reg.status).toBe(201);
    const token = (reg.json as { token: string }).token;
    secrets.push(token);
    expect((await httpPost(relay.url, '/api/register', JSON.stringify({ username, password }), json)).status).toBe(409);
    expect((await httpPost(relay.url, '/api/login', JSON.stringify({ username, password: wrong }), json)).status).toBe(401);
    const login = await httpPost(relay.url, '/api/login', JSON.stringify({ username, password }), json);
    expect(login.status).toBe(200);
    const token2 = (login.json as { token: string }).token;
    secrets.push(token2);
    // malformed bodies and odd encodings that carry the password
    await httpPost(relay.url, '/api/login', `{"username":"${username}","password":"${password}"`, json);
    await httpPost(relay.url, '/api/login', JSON.stringify({ username, password, extra: 1 }), json);
    await httpPost(relay.url, '/api/login', JSON.stringify({ username, password }), { ...json, 'content-encoding': 'gzip' });
    await httpPost(relay.url, '/api/register', JSON.stringify({ username: 'x', password }), json);

    // sockets: good token, events, a bad token shaped like a real one, logout
    const s = await connect(relay.url, token);
    await ok(s, 'chat:list', {});
    await call(s, 'chat:send', { chatId: 'nope', clientMsgId: 'c1', body: password } as never);
    const fake = `${token.slice(0, -4)}AAAA`;
    secrets.push(fake);
    expect(await tryConnect(relay.url, { token: fake })).toEqual({ error: 'unauthorized' });
    const peerA = await signUp(relay.url, 'pa');
    const peerB = await signUp(relay.url, 'pb');
    secrets.push(peerA.token, peerB.token);
    await befriend(peerA, peerB);
    const chat = await inviteAndAccept(peerA, peerB);
    await ok(peerA.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'm', body: 'hello' });
    expect((await httpPost(relay.url, '/api/logout', undefined, { authorization: `Bearer ${token2}` })).status).toBe(204);
    expect((await httpPost(relay.url, '/api/logout', undefined, { authorization: `Bearer ${token2}` })).status).toBe(401);
    await httpPost(relay.url, '/api/nothing', JSON.stringify({ password }), { ...json, authorization: `Bearer ${token}` });
    for (const u of [peerA, peerB]) u.socket.close();
    s.close();

    await relay.stop();
    const out = relay.output();
    expect(out.length, 'trace logging produced no output at all').toBeGreaterThan(200);
    for (const secret of secrets) expect(out.includes(secret), `a secret (${secret.slice(0, 4)}...) is in the relay's output`).toBe(false);
  });
});
