/**
 * Preloaded into the Kefu server by the tickets bench (`node --import`): counts every statement the
 * process sends to Postgres (`pg.Client#query`: Kysely, pool.query, pg-boss, the outbox relay), so
 * the bench can print statements per ticket without pg_stat_statements (which needs a restart of a
 * shared server). On SIGUSR2 it writes `{ statements, byText }` (counts by the statement's first 90 characters) to $KEFU_BENCH_COUNTS/<pid>.json.
 * Plain JavaScript: it is loaded by the compiled server, without tsx.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import pg from 'pg';

const dir = process.env.KEFU_BENCH_COUNTS;
if (dir) {
  let statements = 0;
  /** By the statement's first words, to see which ones a ticket costs. */
  const byText = new Map();
  /** Milliseconds from sending to the answer, by the same key: where a ticket's time in Postgres goes. */
  const msByText = new Map();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(...args) {
    statements += 1;
    const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
    const key = String(text ?? '?').replace(/\s+/g, ' ').trim().slice(0, 90);
    byText.set(key, (byText.get(key) ?? 0) + 1);
    const sent = performance.now();
    const result = query.apply(this, args);
    const answered = () => msByText.set(key, (msByText.get(key) ?? 0) + performance.now() - sent);
    if (result && typeof result.then === 'function') result.then(answered, answered);
    return result;
  };
  process.on('SIGUSR2', () => {
    // Renamed into place, so the bench never reads a half-written file.
    const file = path.join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ statements, byText: Object.fromEntries(byText), msByText: Object.fromEntries(msByText), at: Date.now() }));
    renameSync(`${file}.tmp`, file);
  });
}
