import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A CSV import: the decoded file waits here until the worker has taken every row (then it is
    -- dropped); progress and the rows refused (line, e-mail, reason) are what the console shows.
    create table customer_imports (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      file_name text not null check (length(file_name) between 1 and 200),
      status text not null default 'queued' check (status in ('queued', 'running', 'done')),
      source text,
      total integer not null check (total >= 0),
      processed integer not null default 0,
      created integer not null default 0,
      updated integer not null default 0,
      refused jsonb not null default '[]',
      created_by uuid,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index customer_imports_recent on customer_imports (workspace_id, created_at desc);

    -- The audit trail of merges: who merged which record into which, the fields taken from the
    -- duplicate and how many rows moved. The duplicate's row is gone; its name and e-mail stay here.
    create table customer_merges (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      survivor_id uuid not null references customers(id) on delete cascade,
      merged_id uuid not null,
      merged_name text not null,
      merged_email text not null,
      fields_taken text[] not null default '{}',
      moved jsonb not null default '{}',
      merged_by_type text not null,
      merged_by_id uuid,
      created_at timestamptz not null default now()
    );
    -- Duplicates are suggested by the same name, the same phone's last 8 digits, the same mailbox.
    create index customers_name_lower on customers (workspace_id, lower(name));
    create index customers_mailbox on customers (workspace_id, (split_part(split_part(email, '@', 1), '+', 1) || '@' || split_part(email, '@', 2)));
    create index customer_identities_phone_tail on customer_identities (workspace_id, right(regexp_replace(value, '\\D', '', 'g'), 8)) where kind = 'phone';
    create index customer_merges_survivor on customer_merges (survivor_id, created_at desc);
  `.execute(db);
}
