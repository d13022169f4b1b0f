import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- An erased customer keeps its row (tickets still point at it, so counts and timings stay
    -- right) with every personal field emptied; erased_at says so.
    alter table customers add column erased_at timestamptz;

    -- The erasure log: who asked, when it finished and how many rows it touched; never the
    -- personal data itself. One per customer: asking again answers the first.
    create table customer_erasures (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      status text not null default 'queued' check (status in ('queued', 'done')),
      requested_by_type text not null check (requested_by_type in ('customer', 'agent', 'api', 'system')),
      requested_by_id uuid,
      counts jsonb not null default '{}',
      -- Stored files (attachments) to remove once the rows are gone; emptied when removed.
      files text[] not null default '{}',
      created_at timestamptz not null default now(),
      finished_at timestamptz,
      unique (workspace_id, customer_id)
    );
  `.execute(db);
}
