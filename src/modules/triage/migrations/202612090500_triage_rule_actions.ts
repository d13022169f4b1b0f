import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- What a rule's newer actions did to the ticket (issue 14): the agent it assigned, the answer
    -- template the acknowledgement uses, and whom it told (agent ids; null for the admins).
    alter table triage_decisions
      add column assignee_id uuid,
      add column reply_template_id uuid,
      add column notified jsonb not null default '[]';
  `.execute(db);
}
