/** More tasks of one key than the serializer holds: the caller should come back later. */
export class QueueFullError extends Error {
  constructor(
    readonly key: string,
    readonly limit: number,
  ) {
    super(`${limit} tasks are already queued for ${key}`);
    this.name = 'QueueFullError';
  }
}

/**
 * Runs the tasks of one key one after another, in the order they were given, and tasks of
 * different keys concurrently. A key has an entry only while it has a task queued or
 * running, so a service that has seen millions of keys holds none once idle; a key holds
 * at most `limit` tasks, and one more is refused with QueueFullError rather than held.
 * A task that fails does not stop the ones after it.
 */
export class KeyedSerializer {
  private readonly queues = new Map<string, { tail: Promise<void>; size: number }>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let queue = this.queues.get(key);
    if (queue !== undefined && queue.size >= this.limit) return Promise.reject(new QueueFullError(key, this.limit));
    if (queue === undefined) {
      queue = { tail: Promise.resolve(), size: 0 };
      this.queues.set(key, queue);
    }
    const entry = queue;
    entry.size++;
    const result = entry.tail.then(task);
    entry.tail = result.then(
      () => this.done(key, entry),
      () => this.done(key, entry),
    );
    return result;
  }

  /** Keys with a task queued or running. */
  get activeKeys(): number {
    return this.queues.size;
  }

  private done(key: string, entry: { size: number }): void {
    if (--entry.size === 0 && this.queues.get(key) === entry) this.queues.delete(key);
  }
}
