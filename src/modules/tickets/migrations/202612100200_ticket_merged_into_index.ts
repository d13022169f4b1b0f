import { sql, type Kysely } from 'kysely';

/**
 * Deleting a ticket makes Postgres look for tickets merged into it (the foreign key's check):
 * without an index that is a scan of every ticket per deleted row, minutes for a few thousand at a
 * million tickets (the bench's clean-up of its baseline rows, a workspace's removal). Few tickets
 * are merged, so the index holds only those.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index tickets_merged_into on tickets (merged_into_id) where merged_into_id is not null`.execute(db);
}

