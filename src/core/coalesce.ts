interface Caller<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

interface KeyQueue<T> {
  waiting: Caller<T>[];
  running: boolean;
}

/**
 * Calls of one key that arrive while an earlier call of that key is waiting on the database are
 * answered together by one call of `take(key, count)`, which returns one result per caller, in
 * the order they called. The first call of a quiet key goes at once (no added wait); under load,
 * one round trip serves everyone who queued behind it (issue 15: a statement costs about as much
 * as a small ticket's whole insert). If `take` fails, every caller it served gets the error.
 */
export function coalesced<K, T>(take: (key: K, count: number) => Promise<readonly T[]>): (key: K) => Promise<T> {
  const queues = new Map<K, KeyQueue<T>>();
  const run = (key: K, queue: KeyQueue<T>) => {
    const callers = queue.waiting.splice(0);
    queue.running = true;
    void Promise.resolve().then(() => take(key, callers.length)).then(
      (results) => callers.forEach((caller, i) => caller.resolve(results[i]!)),
      (error: unknown) => callers.forEach((caller) => caller.reject(error)),
    ).finally(() => {
      queue.running = false;
      if (queue.waiting.length) run(key, queue);
      else queues.delete(key);
    });
  };
  return (key) => new Promise<T>((resolve, reject) => {
    let queue = queues.get(key);
    if (!queue) queues.set(key, queue = { waiting: [], running: false });
    queue.waiting.push({ resolve, reject });
    if (!queue.running) run(key, queue);
  });
}
