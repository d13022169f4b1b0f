import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Alternative questions ("people also ask"): other ways customers ask what an article answers.
    -- Kept on the article, not its revisions: they say how it is found, like its tags.
    alter table kb_articles add column questions text[] not null default '{}';
  `.execute(db);
}
