import type { Logger } from '../logger.js';

/**
 * Work a module repeats more often than a cron minute can say (the chat's offer timeouts are
 * 20 s, so its deadlines are acted on every second). Declared in the module's manifest
 * (`recurring`) and run by the platform on each node that serves the web role. A run is
 * scheduled only after the previous one ended, so two never overlap on a node; the work itself
 * must be safe to run on several nodes at once (the chat sweep claims each deadline in SQL).
 */
export interface RecurringWork {
  /** For logs: `<module>.<what>`. */
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
}

/** Starts every piece of recurring work; `stop()` cancels the next runs and waits for any in flight. */
export function startRecurring(work: readonly RecurringWork[], log: Pick<Logger, 'error'>): { stop(): Promise<void> } {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  const schedule = (item: RecurringWork) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = item.run()
        .catch((error: unknown) => log.error({ err: error, work: item.name }, 'recurring work failed; it runs again at the next tick'))
        .finally(() => { running.delete(run); schedule(item); });
      running.add(run);
    }, item.everyMs);
    // A node shuts down without waiting for the next tick.
    timer.unref();
    timers.add(timer);
  };
  for (const item of work) schedule(item);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(running);
    },
  };
}
