// What electron/preload.ts imports from 'electron', for running the real preload in a
// plain Chromium page (tests/electron/chromium-desktop.spec.ts): the IPC transport is
// two Playwright bindings to the test process, where the real main-process core runs.
type Listener = (event: unknown, ...args: unknown[]) => void;

declare global {
  interface Window {
    __ipcInvoke(channel: string, args: unknown[]): Promise<unknown>;
    __ipcSend(channel: string, args: unknown[]): Promise<void>;
    __ipcDeliver(channel: string, args: unknown[]): void;
  }
}

const listeners = new Map<string, Set<Listener>>();

window.__ipcDeliver = (channel, args) => {
  for (const l of [...(listeners.get(channel) ?? [])]) l({}, ...args);
};

export type IpcRendererEvent = unknown;

export const ipcRenderer = {
  invoke: (channel: string, ...args: unknown[]) => window.__ipcInvoke(channel, args),
  send: (channel: string, ...args: unknown[]) => void window.__ipcSend(channel, args),
  on(channel: string, l: Listener) {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(l);
    return ipcRenderer;
  },
  removeListener(channel: string, l: Listener) {
    listeners.get(channel)?.delete(l);
    return ipcRenderer;
  },
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown) {
    Object.defineProperty(window, key, { value: Object.freeze(api), enumerable: true });
  },
};
