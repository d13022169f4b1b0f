import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Outbound webhooks. The secret is kept as is: signing needs it (HMAC), so it cannot be hashed.
    create table webhooks (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      url text not null check (url ~ '^https?://' and length(url) <= 2048),
      description text not null default '',
      events text[] not null check (cardinality(events) between 1 and 20),
      active boolean not null default true,
      secret text not null,
      -- After a rotation the old secret may keep signing (a second v1=) until it expires.
      previous_secret text,
      previous_secret_expires_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    -- Every event of a workspace looks up its active webhooks.
    create index webhooks_active on webhooks (workspace_id) where active;

    create table webhook_deliveries (
      id uuid primary key default gen_random_uuid(),
      seq bigint generated always as identity,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      webhook_id uuid not null references webhooks(id) on delete cascade,
      event_id text not null,
      event_type text not null,
      occurred_at timestamptz not null,
      payload jsonb not null,
      -- No foreign key: pruning an original must leave its (newer) redeliveries as they are.
      redelivery_of uuid,
      status text not null default 'pending' check (status in ('pending', 'retrying', 'succeeded', 'failed', 'cancelled')),
      attempts int not null default 0,
      response_status int,
      response_excerpt text,
      error text,
      duration_ms int,
      created_at timestamptz not null default now(),
      last_attempt_at timestamptz,
      completed_at timestamptz
    );
    -- The natural key: one automatic delivery per (webhook, event), whatever the job queue's window,
    -- however many web nodes saw the event. Manual redeliveries are extra rows that name their original.
    create unique index webhook_deliveries_once on webhook_deliveries (webhook_id, event_id) where redelivery_of is null;
    -- The delivery log: newest first, keyset-paginated on seq.
    create index webhook_deliveries_log on webhook_deliveries (workspace_id, webhook_id, seq desc);
    -- Retention: old deliveries are pruned by age.
    create index webhook_deliveries_age on webhook_deliveries (created_at);

    create table webhook_delivery_attempts (
      id bigint generated always as identity primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      delivery_id uuid not null references webhook_deliveries(id) on delete cascade,
      attempt int not null,
      started_at timestamptz not null,
      duration_ms int not null,
      response_status int,
      response_excerpt text,
      error text,
      succeeded boolean not null,
      unique (delivery_id, attempt)
    );
  `.execute(db);
}
