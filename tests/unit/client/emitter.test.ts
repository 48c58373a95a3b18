import { afterEach, describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../../client/emitter';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('TypedEmitter', () => {
  it('delivers to every listener until it unsubscribes', () => {
    const e = new TypedEmitter<{ n: number }>();
    const got: number[] = [];
    const off = e.on('n', (v) => got.push(v));
    e.on('n', (v) => got.push(v * 10));
    e.emit('n', 1);
    off();
    e.emit('n', 2);
    expect(got).toEqual([1, 10, 20]);
  });

  it('a throwing listener neither stops the others nor escapes emit', () => {
    const e = new TypedEmitter<{ n: number }>();
    const reported: unknown[] = [];
    // Node 20 has no reportError, so the failure is written to the console; capture it there.
    vi.spyOn(console, 'error').mockImplementation((err: unknown) => void reported.push(err));
    const got: number[] = [];
    e.on('n', () => {
      throw new Error('listener bug');
    });
    e.on('n', (v) => got.push(v));
    expect(() => e.emit('n', 7)).not.toThrow();
    expect(got).toEqual([7]);
    expect(reported).toEqual([new Error('listener bug')]);
  });
});
