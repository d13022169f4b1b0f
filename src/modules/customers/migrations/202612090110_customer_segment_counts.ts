import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Each segment's last count and when it was taken: lists and the segment page read it (a count
    -- over a million customers takes seconds). A durable job counts again after changes to the
    -- workspace's customers and every few minutes; a changed rule clears it (customers.segments.ts).
    alter table customer_segments add column member_count integer, add column counted_at timestamptz;
  `.execute(db);
}
