import { appendFileSync } from 'node:fs';
import pg from 'pg';
const file = process.env.TRACE_FILE; let n = 0; const start = Date.now();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
  if (Date.now() - start > Number(process.env.TRACE_AFTER_MS ?? 40000) && n < 3000) {
    n++;
    const stack = (new Error().stack ?? '').split('\n').filter((l) => l.includes('/src/') && !l.includes('/core/db/')).slice(0, 3).map((l) => l.trim().replace(/.*\/src\//, '').replace(/\)$/, '')).join(' < ');
    appendFileSync(file, `${String(text).replace(/\s+/g, ' ').slice(0, 70)} | ${stack}\n`);
  }
  return query.apply(this, args);
};
