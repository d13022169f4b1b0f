import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Trigram indexes back fuzzy search over names, subjects and help content.
  await sql`create extension if not exists pg_trgm`.execute(db);
}
