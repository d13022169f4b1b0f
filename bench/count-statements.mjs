/**
 * Preloaded into the Kefu server by the tickets bench (`node --import`): counts every statement the
 * process sends to Postgres (`pg.Client#query`: Kysely, pool.query, pg-boss, the outbox relay), so
 * the bench can print statements per ticket without pg_stat_statements (which needs a restart of a
 * shared server). On SIGUSR2 it writes `{ statements }` to $KEFU_BENCH_COUNTS/<pid>.json.
 * Plain JavaScript: it is loaded by the compiled server, without tsx.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const dir = process.env.KEFU_BENCH_COUNTS;
if (dir) {
  let statements = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(...args) {
    statements += 1;
    return query.apply(this, args);
  };
  process.on('SIGUSR2', () => {
    writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify({ statements, at: Date.now() }));
  });
}
