import { describe, expect, it } from 'vitest';
import { WindowRegistry } from '../../../electron/windows';
import { FakeWindowFactory } from './fake-window';

function setup() {
  const factory = new FakeWindowFactory();
  return { factory, windows: new WindowRegistry(factory) };
}

describe('WindowRegistry', () => {
  it('keeps one main window: showing it again focuses the same one', () => {
    const { factory, windows } = setup();
    const a = windows.showMain();
    const b = windows.showMain();
    expect(a).toBe(b);
    expect(factory.created).toHaveLength(1);
    expect(factory.created[0]!.focusCalls).toBe(1);
  });

  it('opens one window per chat; opening an open chat focuses it', () => {
    const { factory, windows } = setup();
    windows.showMain();
    const c1 = windows.openChat('c1');
    const c2 = windows.openChat('c2');
    expect(c1).not.toBe(c2);
    expect(windows.openChat('c1')).toBe(c1);
    expect(factory.created.map((w) => w.target)).toEqual([
      { kind: 'main' },
      { kind: 'chat', chatId: 'c1' },
      { kind: 'chat', chatId: 'c2' },
    ]);
    expect((c1 as unknown as { focusCalls: number }).focusCalls).toBe(1);
    expect(windows.openChatIds().sort()).toEqual(['c1', 'c2']);
  });

  it('forgets a chat window the user closed, and opens a fresh one next time', () => {
    const { factory, windows } = setup();
    const first = windows.openChat('c1');
    first.close();
    expect(windows.chatWindow('c1')).toBeNull();
    expect(windows.openChatIds()).toEqual([]);
    const second = windows.openChat('c1');
    expect(second).not.toBe(first);
    expect(factory.created).toHaveLength(2);
  });

  it('closeChat closes that window only (chat:left)', () => {
    const { windows } = setup();
    const main = windows.showMain();
    const c1 = windows.openChat('c1');
    const c2 = windows.openChat('c2');
    windows.closeChat('c1');
    expect(c1.isDestroyed()).toBe(true);
    expect(c2.isDestroyed()).toBe(false);
    expect(main.isDestroyed()).toBe(false);
    expect(windows.all()).toEqual([main, c2]);
    windows.closeChat('nope');
  });

  it('closeAllChats leaves the main window (sign-out)', () => {
    const { windows } = setup();
    const main = windows.showMain();
    windows.openChat('c1');
    windows.openChat('c2');
    windows.closeAllChats();
    expect(windows.all()).toEqual([main]);
  });

  it('knows what each webContents is, and nothing else', () => {
    const { windows } = setup();
    const main = windows.showMain();
    const c1 = windows.openChat('c1');
    expect(windows.roleOf(main.contentsId)).toEqual({ kind: 'main' });
    expect(windows.roleOf(c1.contentsId)).toEqual({ kind: 'chat', chatId: 'c1' });
    expect(windows.roleOf(999)).toBeUndefined();
    c1.close();
    expect(windows.roleOf(c1.contentsId)).toBeUndefined();
    main.close();
    expect(windows.roleOf(main.contentsId)).toBeUndefined();
    expect(windows.main()).toBeNull();
  });

  it('reports the focused view: a chat window shows its chat; the main window what it said', () => {
    const { windows, factory } = setup();
    const main = windows.showMain();
    const c1 = windows.openChat('c1');
    for (const w of factory.created) w.focused = false;
    expect(windows.focusedView()).toBeNull();

    factory.created[1]!.focused = true;
    expect(windows.focusedView()).toEqual({ kind: 'chat', chatId: 'c1' });

    factory.created[1]!.focused = false;
    factory.created[0]!.focused = true;
    expect(windows.focusedView()).toEqual({ kind: 'main', chatId: null });
    windows.setViewing(main.contentsId, 'c9');
    expect(windows.focusedView()).toEqual({ kind: 'main', chatId: 'c9' });
    // A chat window cannot claim to show another chat.
    windows.setViewing(c1.contentsId, 'c9');
    factory.created[0]!.focused = false;
    factory.created[1]!.focused = true;
    expect(windows.focusedView()).toEqual({ kind: 'chat', chatId: 'c1' });
  });
});
