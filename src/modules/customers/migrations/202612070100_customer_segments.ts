import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A saved segment: a named rule (all/any groups of conditions, checked when written) that is
    -- compiled to one query whenever it is counted or listed: members are never stored.
    create table customer_segments (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      name text not null check (length(name) between 1 and 120),
      description text not null default '' check (length(description) <= 1000),
      rule jsonb not null,
      created_by uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index customer_segments_name on customer_segments (workspace_id, lower(name));

    -- What segment conditions look up across all of a workspace's customers at once:
    -- attribute equality (attributes @> '{"tier":"gold"}'), the current consent per purpose
    -- (the latest change of each customer), and orders in a period.
    create index customers_attributes on customers using gin (attributes jsonb_path_ops);
    create index consent_changes_purpose on consent_changes (purpose_id, customer_id, id desc);
    create index customer_orders_recent on customer_orders (workspace_id, ordered_at, customer_id);
  `.execute(db);
}
