import { describe, expect, it } from 'vitest';
import { useRelay } from '../helpers/use-relay';
import { befriend, inviteAndAccept, ok, signUp, waitFor } from '../helpers/clients';

const relay = useRelay();

describe('relay smoke', () => {
  it('two friends chat and see the same ordered messages', async () => {
    const a = await signUp(relay.url, 'a');
    const b = await signUp(relay.url, 'b');
    await befriend(a, b);
    const chat = await inviteAndAccept(a, b);
    expect(chat.kind).toBe('direct');
    const got = waitFor(b.socket, 'chat:message');
    const { message } = await ok(a.socket, 'chat:send', { chatId: chat.id, clientMsgId: 'm1', body: ' hello ' });
    expect(message.seq).toBe(1);
    expect(message.body).toBe('hello');
    expect((await got).message).toEqual(message);
    const h = await ok(b.socket, 'chat:history', { chatId: chat.id });
    expect(h.messages.map((m) => m.id)).toEqual([message.id]);
    a.socket.close();
    b.socket.close();
  });
});
