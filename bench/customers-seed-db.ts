/**
 * Seeds the customers bench's data set once into a database that is kept, for repeated EXPLAINs:
 * `node --import tsx bench/customers-seed-db.ts postgres://postgres@127.0.0.1:5432/cust1m 1000000`.
 * The database must exist (createdb); it is migrated first. Run again later to apply new migrations only.
 */
import { sql } from 'kysely';
import { connectDatabase } from '../src/core/db/database.js';
import { migrateToLatest } from '../src/core/db/migrations.js';
import { createLogger } from '../src/core/logger.js';
import { seedCustomers, seedSegmentData } from './customers.bench.js';

const [url, count] = process.argv.slice(2);
if (!url) throw new Error('usage: customers-seed-db.ts <database url> [customers]');
const log = createLogger('silent');
const database = await connectDatabase(url, { max: 2, log });
await migrateToLatest(database.db, log);
const { rows: [existing] } = await sql<{ id: string }>`select id from workspaces where slug = 'bench-customers'`.execute(database.db);
if (!existing && count) {
  const { rows: [made] } = await sql<{ id: string }>`insert into workspaces (slug, name) values ('bench-customers', '{"en":"bench"}'::jsonb) returning id`.execute(database.db);
  const ctx = { log: (line: string) => console.error(line) };
  await seedCustomers(ctx, database.db, made!.id, Number(count));
  await seedSegmentData(ctx, database.db, made!.id, Number(count));
  for (const table of ['customers', 'customer_identities', 'product_registrations', 'customer_orders', 'consent_changes', 'tickets']) {
    await sql`vacuum analyze ${sql.table(table)}`.execute(database.db);
  }
}
console.error('workspace', existing?.id ?? 'seeded');
await database.close();
