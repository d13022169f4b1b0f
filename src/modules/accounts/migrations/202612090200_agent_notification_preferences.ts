import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Which notification mails an agent wants (issue 19, 2). No row: every kind is on.
    create table agent_notification_preferences (
      agent_id uuid primary key references agents(id) on delete cascade,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      assigned boolean not null,
      customer_replied boolean not null,
      sla_warning boolean not null,
      updated_at timestamptz not null default now()
    );
  `.execute(db);
}
