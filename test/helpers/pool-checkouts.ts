import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';

/**
 * The event relay's own work (createTestApp starts the outbox bus inside it, so its timers and its
 * listening connection's callbacks carry it): its polls share the app's pool, and are not what a
 * test counting a request's round trips means.
 */
export const relayWork = new AsyncLocalStorage<true>();

/**
 * Runs `work` and counts the connections taken from `pool` meanwhile (one per database round trip
 * or transaction), leaving out the event relay's. Fastify's inject() does not keep the caller's
 * async context, so the relay's work is what is told apart, not the request's.
 */
export async function countCheckouts<T>(pool: pg.Pool, work: () => Promise<T>): Promise<{ result: T; checkouts: number }> {
  let checkouts = 0;
  const connect = pool.connect;
  // Every checkout, pool.query's included, goes through connect(), called in its caller's context.
  pool.connect = function (this: pg.Pool, ...args: unknown[]) {
    if (!relayWork.getStore()) checkouts++;
    return (connect as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pool.connect;
  try {
    const result = await work();
    return { result, checkouts };
  } finally {
    pool.connect = connect;
  }
}
