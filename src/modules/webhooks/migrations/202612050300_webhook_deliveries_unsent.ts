import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The sweeper's scan, every minute: deliveries never attempted (their job was lost or never
    -- created). Partial, so it stays the size of what is waiting, not of the delivery log.
    create index webhook_deliveries_unsent on webhook_deliveries (created_at) where status = 'pending' and attempts = 0;
  `.execute(db);
}
