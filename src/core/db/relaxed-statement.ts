import { sql, type Kysely } from 'kysely';
import type { DB } from './database.js';

/**
 * A statement that commits without waiting for the disk, set inside it, in its one round trip:
 * `relaxedStatement(db).updateTable(…).from('relaxed')…` (the main statement must name `relaxed`,
 * or Postgres never evaluates it). For bookkeeping whose loss in a crash is harmless, or whose
 * effect a later durable commit flushes anyway (WAL is flushed in order).
 */
export function relaxedStatement(db: Kysely<DB>) {
  return db.with('relaxed', (qb) => qb.selectNoFrom(sql<string>`set_config('synchronous_commit', 'off', true)`.as('setting')));
}
