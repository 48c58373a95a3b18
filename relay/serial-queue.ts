// Runs async tasks one at a time, in the order they were given. Rules that read,
// decide and then write (invites, leaving, friends) go through one of these so two
// of them never interleave within a relay process.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
