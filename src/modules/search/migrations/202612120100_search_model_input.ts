import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A digest of what the stored model learned from (documents, questions, clicked searches): a
    -- training that would learn from the same again is skipped (search.service.ts, train).
    alter table search_models add column learned_from text;
  `.execute(db);
}
