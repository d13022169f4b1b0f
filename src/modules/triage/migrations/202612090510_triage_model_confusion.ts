import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The classifier's status screen (issue 14): the stored model's size, and on the held-back
    -- fifth how often each true label was predicted as each label. Null for models trained before.
    alter table triage_models
      add column size_bytes integer,
      add column confusion jsonb;
  `.execute(db);
}
