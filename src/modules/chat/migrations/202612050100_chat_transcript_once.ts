import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A transcript goes only to an address that confirmed it through a mailed link, once per chat:
    -- when the link was mailed, and when the transcript went out.
    alter table chat_sessions
      add column transcript_requested_at timestamptz,
      add column transcript_sent_at timestamptz;
  `.execute(db);
}
