import { describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../../protocol/types';
import { registerIpcHandlers, isTrustedSender, type IpcMainPort, type IpcSenderEvent, type IpcSession } from '../../../electron/ipc';
import { INVOKE, SEND } from '../../../electron/preload-api';
import { isRendererUrl } from '../../../electron/security';
import { WindowRegistry } from '../../../electron/windows';
import { FakeWindowFactory } from './fake-window';

type Listener = (event: IpcSenderEvent, ...args: unknown[]) => unknown;

/** Records handlers the way ipcMain does, so a test can call them as a renderer would. */
class RecordingIpc implements IpcMainPort {
  readonly handlers = new Map<string, Listener>();
  readonly listeners = new Map<string, Listener>();
  handle(channel: string, l: Listener) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, l);
  }
  on(channel: string, l: Listener) {
    this.listeners.set(channel, l);
  }
  async invoke(channel: string, event: IpcSenderEvent, ...args: unknown[]) {
    return this.handlers.get(channel)!(event, ...args);
  }
  send(channel: string, event: IpcSenderEvent, ...args: unknown[]) {
    this.listeners.get(channel)!(event, ...args);
  }
}

function setup() {
  const windows = new WindowRegistry(new FakeWindowFactory());
  const main = windows.showMain();
  const chat = windows.openChat('c1');
  const calls: Array<[string, ...unknown[]]> = [];
  const session: IpcSession = {
    restore: async () => (calls.push(['restore']), null),
    register: async (...a) => (calls.push(['register', ...a]), { ok: false, error: { code: 'bad_request', message: '' } }),
    login: async (...a) => (calls.push(['login', ...a]), { ok: false, error: { code: 'unauthorized', message: '' } }),
    logout: async () => void calls.push(['logout']),
    state: () => (calls.push(['state']), { status: 'signed-out' }),
    retryNow: () => void calls.push(['retryNow']),
    request: async (event: ClientEvent, payload: unknown) => (calls.push(['request', event, payload]), { ok: true }) as never,
    send: async (chatId, body) => (calls.push(['send', chatId, body]), { chatId, body, clientMsgId: 'x', createdAt: '' }),
    pending: async (chatId) => (calls.push(['pending', chatId]), []),
  };
  const opened: string[] = [];
  const logs: string[] = [];
  const ipc = new RecordingIpc();
  registerIpcHandlers(ipc, {
    session,
    isRendererUrl: (url) => isRendererUrl(url),
    roleOf: (id) => windows.roleOf(id),
    openChat: (id) => opened.push(id),
    setViewing: (id, chatId) => windows.setViewing(id, chatId),
    log: (m) => logs.push(m),
  });
  const from = (contentsId: number, url: string | null = 'app://renderer/index.html'): IpcSenderEvent => ({
    sender: { id: contentsId },
    senderFrame: url === null ? null : { url },
  });
  return { ipc, windows, main, chat, calls, opened, logs, from };
}

const UNTRUSTED: Array<[string, number | 'main', string | null]> = [
  ['a foreign page in our window', 'main', 'https://evil.example/'],
  ['a file:// page in our window', 'main', 'file:///tmp/x.html'],
  ['another app:// host', 'main', 'app://evil/index.html'],
  ['a frame that is gone', 'main', null],
  ['our page in a webContents that is not one of our windows', 4242, 'app://renderer/index.html'],
];

describe('IPC sender checks', () => {
  it('registers a handler for every channel of the preload API', () => {
    const { ipc } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.values(INVOKE).sort());
    expect([...ipc.listeners.keys()].sort()).toEqual(Object.values(SEND).sort());
  });

  for (const [what, who, url] of UNTRUSTED) {
    it(`refuses every invoke from ${what}, touching nothing`, async () => {
      const s = setup();
      const id = who === 'main' ? s.main.contentsId : who;
      for (const channel of Object.values(INVOKE)) {
        await expect(s.ipc.invoke(channel, s.from(id, url), 'chat:list', {}), channel).rejects.toThrow('forbidden sender');
      }
      for (const channel of Object.values(SEND)) s.ipc.send(channel, s.from(id, url), 'c1');
      expect(s.calls).toEqual([]);
      expect(s.opened).toEqual([]);
      expect(s.logs.length).toBe(Object.values(INVOKE).length + Object.values(SEND).length);
    });
  }

  it('refuses a chat window after it closed', async () => {
    const s = setup();
    const id = s.chat.contentsId;
    s.chat.close();
    await expect(s.ipc.invoke(INVOKE.restore, s.from(id))).rejects.toThrow('forbidden sender');
  });

  it('isTrustedSender wants both our page and our window', () => {
    const s = setup();
    const deps = { isRendererUrl: (u: string) => isRendererUrl(u), roleOf: (id: number) => s.windows.roleOf(id) };
    expect(isTrustedSender(s.from(s.main.contentsId), deps)).toBe(true);
    expect(isTrustedSender(s.from(s.chat.contentsId, 'app://renderer/index.html#chat=c1'), deps)).toBe(true);
    expect(isTrustedSender(s.from(999), deps)).toBe(false);
    expect(isTrustedSender(s.from(s.main.contentsId, 'https://x.example/'), deps)).toBe(false);
  });
});

describe('IPC handlers from our windows', () => {
  it('forwards requests for known events only, with object payloads', async () => {
    const s = setup();
    const ev = s.from(s.chat.contentsId, 'app://renderer/index.html#chat=c1');
    await expect(s.ipc.invoke(INVOKE.request, ev, 'chat:history', { chatId: 'c1' })).resolves.toEqual({ ok: true });
    await expect(s.ipc.invoke(INVOKE.request, ev, 'admin:drop', {})).rejects.toThrow('bad arguments');
    await expect(s.ipc.invoke(INVOKE.request, ev, 'chat:list', 'x')).rejects.toThrow('bad arguments');
    await expect(s.ipc.invoke(INVOKE.request, ev, 'chat:list', null)).rejects.toThrow('bad arguments');
    expect(s.calls).toEqual([['request', 'chat:history', { chatId: 'c1' }]]);
  });

  it('checks argument types of session and chat calls', async () => {
    const s = setup();
    const ev = s.from(s.main.contentsId);
    await s.ipc.invoke(INVOKE.login, ev, 'alice', 'secret-pw');
    await expect(s.ipc.invoke(INVOKE.login, ev, { $gt: '' }, 'x')).rejects.toThrow('bad arguments');
    await s.ipc.invoke(INVOKE.send, ev, 'c1', 'hello');
    await expect(s.ipc.invoke(INVOKE.send, ev, '', 'hello')).rejects.toThrow('bad arguments');
    await expect(s.ipc.invoke(INVOKE.send, ev, 'c1', 42)).rejects.toThrow('bad arguments');
    await s.ipc.invoke(INVOKE.pending, ev, 'c1');
    expect(s.calls).toEqual([
      ['login', 'alice', 'secret-pw'],
      ['send', 'c1', 'hello'],
      ['pending', 'c1'],
    ]);
  });

  it('passes Retry now on from any of our windows', () => {
    const s = setup();
    s.ipc.send(SEND.retryNow, s.from(s.main.contentsId));
    s.ipc.send(SEND.retryNow, s.from(s.chat.contentsId, 'app://renderer/index.html#chat=c1'));
    expect(s.calls).toEqual([['retryNow'], ['retryNow']]);
  });

  it('opens chats and records the viewed chat', () => {
    const s = setup();
    const ev = s.from(s.main.contentsId);
    s.ipc.send(SEND.openChat, ev, 'c9');
    s.ipc.send(SEND.openChat, ev, 42);
    s.ipc.send(SEND.setFocused, ev, 'c1');
    expect(s.opened).toEqual(['c9']);
    s.main.focus();
    expect(s.windows.focusedView()).toEqual({ kind: 'main', chatId: 'c1' });
    s.ipc.send(SEND.setFocused, ev, null);
    expect(s.windows.focusedView()).toEqual({ kind: 'main', chatId: null });
  });
});
