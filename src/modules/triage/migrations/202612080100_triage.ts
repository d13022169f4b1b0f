import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Per workspace: whether triage runs, and the confidence at which the classifier sets a value
    -- rather than only suggesting it. A row is made on the first ticket triage sees.
    create table triage_settings (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      enabled boolean not null default true,
      auto_apply_threshold real not null default 0.7 check (auto_apply_threshold between 0 and 1),
      updated_at timestamptz not null default now()
    );

    -- Ordered rules; conditions and actions are checked documents (contracts/triage.ts).
    create table triage_rules (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      position int not null,
      name text not null check (length(name) between 1 and 120),
      enabled boolean not null default true,
      conditions jsonb not null,
      actions jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index triage_rules_order on triage_rules (workspace_id, position, created_at);

    -- Trained classifiers, versioned per workspace and target; the newest version classifies.
    create table triage_models (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      target text not null check (target in ('department', 'urgency')),
      version int not null,
      examples int not null,
      labels jsonb not null,
      held_out_accuracy real,
      state jsonb not null,
      trained_at timestamptz not null default now(),
      unique (workspace_id, target, version)
    );

    -- What triage decided for a ticket, once: the ticket id is the idempotency key of the
    -- at-least-once ticket.created delivery. Values not applied are the suggestions agents see.
    create table triage_decisions (
      ticket_id uuid primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      department_id uuid,
      department_source text not null check (department_source in ('rule', 'model', 'none')),
      department_rule_id uuid,
      department_confidence real,
      department_applied boolean not null,
      urgency smallint,
      urgency_source text not null check (urgency_source in ('rule', 'model', 'none')),
      urgency_rule_id uuid,
      urgency_confidence real,
      urgency_applied boolean not null,
      rule_ids jsonb not null,
      tags jsonb not null,
      suppress_ack boolean not null,
      spam boolean not null,
      model_versions jsonb not null,
      decided_at timestamptz not null default now()
    );
    create index triage_decisions_workspace on triage_decisions (workspace_id, decided_at);
  `.execute(db);
}
