import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The visitor's rating of a chat an agent answered: once per conversation, 1–5 with an optional comment.
    alter table chat_sessions
      add column rating smallint check (rating between 1 and 5),
      add column rating_comment text check (char_length(rating_comment) <= 1000),
      add column rated_at timestamptz;

    -- The roll-ups carry the ratings too; days rolled up before they existed are rolled up again.
    alter table chat_metric_days
      add column rated int not null default 0,
      add column rating_sum int not null default 0;
    delete from chat_metric_days;
    delete from chat_metric_days_done;
  `.execute(db);
}
