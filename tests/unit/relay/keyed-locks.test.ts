import { describe, expect, it } from 'vitest';
import { KeyedLocks } from '../../../relay/keyed-locks';

const tick = () => new Promise((r) => setTimeout(r, 10));

function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('KeyedLocks', () => {
  it('runs tasks sharing a key one after the other, in the order they came', async () => {
    const locks = new KeyedLocks();
    const order: string[] = [];
    const g = gate();
    const first = locks.run(['user:a', 'user:b'], async () => {
      order.push('first starts');
      await g.promise;
      order.push('first ends');
    });
    const second = locks.run(['user:b', 'user:c'], async () => void order.push('second'));
    await tick();
    expect(order).toEqual(['first starts']);
    g.open();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second']);
    expect(locks.size()).toBe(0);
  });

  it('runs tasks with no key in common side by side', async () => {
    const locks = new KeyedLocks();
    const g = gate();
    const slow = locks.run(['user:a'], () => g.promise);
    let otherDone = false;
    await locks.run(['user:b'], async () => void (otherDone = true));
    expect(otherDone).toBe(true);
    g.open();
    await slow;
  });

  it('an exclusive task waits for every task queued before it, and every later one waits for it', async () => {
    const locks = new KeyedLocks();
    const order: string[] = [];
    const g = gate();
    const before = locks.run(['user:a'], async () => {
      await g.promise;
      order.push('before');
    });
    const exclusive = locks.runExclusive(async () => void order.push('exclusive'));
    const after = locks.run(['user:z'], async () => void order.push('after'));
    await tick();
    expect(order).toEqual([]);
    g.open();
    await Promise.all([before, exclusive, after]);
    expect(order).toEqual(['before', 'exclusive', 'after']);
  });

  it('a failing task releases its keys', async () => {
    const locks = new KeyedLocks();
    await expect(locks.run(['k'], async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(locks.run(['k'], async () => 'next')).resolves.toBe('next');
    expect(locks.size()).toBe(0);
  });
});
