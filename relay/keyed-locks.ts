// Runs async tasks so that two tasks sharing a key never overlap, while tasks with no
// key in common run side by side: one user's clicks never wait behind another's.
// Rules that read, decide and then write (friends, invites, leaving) hold the keys of
// every user and chat they read (sockets.ts, ruleKeys). runExclusive is for a rule
// whose keys kept changing while it waited: it then runs alone.
//
// A task's keys are all taken at the moment it is queued, so no two tasks can each
// hold a key the other waits for: no deadlock, and per key the order is first come,
// first served.
export class KeyedLocks {
  private readonly tails = new Map<string, Promise<void>>();
  private exclusiveTail: Promise<void> = Promise.resolve();
  private readonly queued = new Set<Promise<void>>();

  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const before = [this.exclusiveTail, ...unique.flatMap((k) => this.tails.get(k) ?? [])];
    const done = this.hold();
    for (const k of unique) this.tails.set(k, done.promise);
    return this.after(before, task, () => {
      done.release();
      for (const k of unique) if (this.tails.get(k) === done.promise) this.tails.delete(k);
    });
  }

  runExclusive<T>(task: () => Promise<T>): Promise<T> {
    const before = [this.exclusiveTail, ...this.queued];
    const done = this.hold();
    this.exclusiveTail = done.promise;
    return this.after(before, task, done.release);
  }

  /** How many keys are held or waited for (tests: nothing is left behind). */
  size(): number {
    return this.tails.size;
  }

  private hold(): { promise: Promise<void>; release(): void } {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.queued.add(promise);
    return {
      promise,
      release: () => {
        this.queued.delete(promise);
        release();
      },
    };
  }

  private async after<T>(before: Promise<void>[], task: () => Promise<T>, done: () => void): Promise<T> {
    try {
      await Promise.all(before);
      return await task();
    } finally {
      done();
    }
  }
}
