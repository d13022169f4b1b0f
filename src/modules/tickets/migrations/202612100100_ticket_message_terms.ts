import { sql, type Kysely } from 'kysely';
import { matchVector } from '../../search/index.js';

/** Messages whose terms are written per statement while the existing ones are indexed. */
const BATCH = 500;

/**
 * The inbox's search over message bodies (issue 19, 3), Chinese too: each message's distinct
 * lexemes by the help centre's analysis, in a table of their own so reading messages never carries
 * them. Existing messages are indexed here, a batch at a time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ticket_message_terms (
      -- Checked at commit: the terms are written in the statement that inserts the message, which
      -- skips a message whose external id was seen before (the caller then rolls back).
      message_id uuid primary key references ticket_messages (id) on delete cascade deferrable initially deferred,
      workspace_id uuid not null references workspaces (id) on delete cascade,
      terms tsvector not null
    );
    create index ticket_message_terms_match on ticket_message_terms using gin (terms);
  `.execute(db);
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await sql<{ id: string; workspace_id: string; body_text: string }>`
      select id, workspace_id, body_text from ticket_messages where id > ${after}::uuid order by id limit ${BATCH}`.execute(db);
    if (!rows.length) break;
    await sql`
      insert into ticket_message_terms (message_id, workspace_id, terms)
      select * from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.workspace_id)}::uuid[], ${rows.map((r) => matchVector(r.body_text))}::tsvector[])
    `.execute(db);
    after = rows.at(-1)!.id;
  }
}
