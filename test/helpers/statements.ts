import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { DB } from '../../src/core/db/database.js';

const sending = new AsyncLocalStorage<string[]>();

/**
 * The statements `work` sends to Postgres (BEGIN and COMMIT included), in order, on any connection:
 * those sent in its async context (a job queue's handlers started by it too), not the event relay's
 * or the job queue's timers. For tests of how many round trips a piece of work costs (issue 15).
 */
export async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [text] = args;
    sending.getStore()?.push(typeof text === 'string' ? text : String((text as { text?: string } | undefined)?.text));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await sending.run(sent, work);
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

/** Resolves once a statement containing `text` waits for a lock (another transaction's uncommitted row): a race's second party is in place. */
export async function statementWaitsForLock(db: Kysely<DB>, text: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const { rows: [waiting] } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and position(${text} in query) > 0`.execute(db);
    if (waiting!.n > 0) return;
    await sleep(25);
  }
  throw new Error(`no statement with ${text} came to wait for a lock`);
}
