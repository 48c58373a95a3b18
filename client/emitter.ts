// A minimal typed event emitter that runs unchanged in Node and in a browser
// (Node's EventEmitter is not in browsers, and EventTarget loses the payload types).

type Listener<T> = (payload: T) => void;

export class TypedEmitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(event: K, cb: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(cb as Listener<never>);
    return () => {
      set.delete(cb as Listener<never>);
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    // Copy first: a listener may unsubscribe itself while we iterate.
    for (const cb of [...set]) {
      try {
        (cb as Listener<Events[K]>)(payload);
      } catch (err) {
        // One faulty listener must not stop the others or the connection's own bookkeeping,
        // nor crash the process (the Electron main process runs this too): report and go on.
        if (typeof globalThis.reportError === 'function') globalThis.reportError(err);
        else console.error(err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
