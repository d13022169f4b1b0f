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

interface Waiting<I, O> extends Caller<O> {
  item: I;
}

/**
 * Items that arrive while `lanes` batches are already running wait, and go together in the next
 * batch (at most `size` of them): `work(items)` answers each item on its own, in order, so one
 * item's failure is its caller's alone. Items that arrive together (in one turn of the event loop:
 * a fetch of many jobs) are shared out over the free lanes. A quiet system's item goes at once;
 * under load, one batch's fixed costs (a transaction, a claim, a commit) are shared by everyone
 * who queued behind the lanes (issue 15: inbound mail, one job taking many waiting messages). If
 * `work` itself throws, every item of its batch gets the error.
 */
export function batched<I, O>(work: (items: I[]) => Promise<PromiseSettledResult<O>[]>, options: { size: number; lanes: number }): (item: I) => Promise<O> {
  const waiting: Waiting<I, O>[] = [];
  let running = 0;
  let scheduled = false;
  const start = () => {
    scheduled = false;
    while (running < options.lanes && waiting.length) {
      const share = Math.ceil(waiting.length / (options.lanes - running));
      const batch = waiting.splice(0, Math.min(options.size, share));
      running++;
      void Promise.resolve().then(() => work(batch.map((w) => w.item))).then(
        (results) => batch.forEach((caller, i) => {
          const result = results[i];
          if (result?.status === 'fulfilled') caller.resolve(result.value);
          else caller.reject(result ? result.reason : new Error('batched work answered fewer items than it was given'));
        }),
        (error: unknown) => batch.forEach((caller) => caller.reject(error)),
      ).finally(() => {
        running--;
        start();
      });
    }
  };
  return (item) => new Promise<O>((resolve, reject) => {
    waiting.push({ item, resolve, reject });
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(start);
    }
  });
}
