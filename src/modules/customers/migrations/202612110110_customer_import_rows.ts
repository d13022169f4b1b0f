import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The file's rows as read and checked on upload (JSON: the header's cells, each row's line and
    -- cells), so the worker does not parse the CSV a second time (csv-parse took 150–350 ms per
    -- 20,000 rows each time). Dropped with the last batch, as the file was. An import uploaded before
    -- this still has its CSV in source, which the worker reads as before.
    alter table customer_imports add column rows text;
  `.execute(db);
}
