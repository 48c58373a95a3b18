// A stand-in for a BrowserWindow behind the AppWindow interface: Electron cannot run
// in plain Node, and the registry only needs focus, close and send bookkeeping.
import type { AppWindow, WindowFactory } from '../../../electron/windows';

export class FakeWindow implements AppWindow {
  focused = false;
  destroyed = false;
  focusCalls = 0;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  private readonly closedListeners: Array<() => void> = [];

  constructor(
    readonly contentsId: number,
    readonly target: { kind: 'main' } | { kind: 'chat'; chatId: string },
  ) {}

  focus(): void {
    this.focusCalls++;
    this.focused = true;
  }
  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.focused = false;
    for (const l of this.closedListeners) l();
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('send to a destroyed window');
    this.sent.push({ channel, args });
  }
  onClosed(cb: () => void): void {
    this.closedListeners.push(cb);
  }
}

export class FakeWindowFactory implements WindowFactory {
  readonly created: FakeWindow[] = [];
  private nextId = 1;
  create(target: { kind: 'main' } | { kind: 'chat'; chatId: string }): FakeWindow {
    const win = new FakeWindow(this.nextId++, target);
    this.created.push(win);
    return win;
  }
}
