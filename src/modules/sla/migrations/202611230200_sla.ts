import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- One business-hours calendar per workspace (a document: weekly hours, holidays, make-up days).
    create table sla_calendars (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      time_zone text not null,
      weekly_hours jsonb not null,
      holidays jsonb not null default '[]',
      workdays jsonb not null default '[]',
      pause_on_hold boolean not null default false,
      updated_at timestamptz not null default now()
    );

    create table sla_policies (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      name text not null,
      urgency smallint not null check (urgency between 0 and 4),
      department_id uuid references departments(id) on delete cascade,
      customer_tier text,
      first_response_minutes int check (first_response_minutes > 0),
      next_response_minutes int check (next_response_minutes > 0),
      resolution_minutes int check (resolution_minutes > 0),
      warning_minutes int not null default 0 check (warning_minutes >= 0),
      escalations jsonb not null default '[]',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    -- One policy per scope; "any department" (null) is a scope of its own.
    create unique index sla_policies_scope on sla_policies (workspace_id, urgency, department_id, customer_tier) nulls not distinct;

    create table sla_ticket_states (
      ticket_id uuid primary key references tickets(id) on delete cascade,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      policy_id uuid references sla_policies(id) on delete set null,
      status text not null,
      paused_since timestamptz,
      pauses jsonb not null default '[]',
      first_responded_at timestamptz,
      version int not null default 1,
      updated_at timestamptz not null default now()
    );
    -- Recomputing a workspace after its calendar or policies change walks the tickets still open.
    create index sla_ticket_states_active on sla_ticket_states (workspace_id, ticket_id) where status not in ('solved', 'closed');

    create table sla_clocks (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      ticket_id uuid not null references tickets(id) on delete cascade,
      kind text not null check (kind in ('first_response', 'next_response', 'resolution')),
      cycle int not null default 1,
      started_at timestamptz not null,
      target_minutes int,
      due_at timestamptz,
      warn_at timestamptz,
      stopped_at timestamptz,
      outcome text check (outcome in ('met', 'cancelled')),
      business_minutes int,
      warned_at timestamptz,
      breached_at timestamptz,
      unique (ticket_id, kind, cycle)
    );
    -- The sweep's safety net: clocks past due (or past their warning) not yet marked.
    create index sla_clocks_due on sla_clocks (workspace_id, due_at)
      where stopped_at is null and breached_at is null and due_at is not null;
    create index sla_clocks_warn on sla_clocks (workspace_id, warn_at)
      where stopped_at is null and warned_at is null and breached_at is null and warn_at is not null;

    -- Escalation steps, written in the same transaction that marks the breach (or warning), so
    -- they are carried out once even if the process dies right after marking.
    create table sla_escalations (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      ticket_id uuid not null references tickets(id) on delete cascade,
      clock_id uuid not null references sla_clocks(id) on delete cascade,
      phase text not null check (phase in ('warning', 'breach')),
      position smallint not null,
      action jsonb not null,
      claimed_until timestamptz,
      done_at timestamptz,
      outcome text check (outcome in ('done', 'skipped', 'failed')),
      error_code text,
      created_at timestamptz not null default now(),
      unique (clock_id, phase, position)
    );
    create index sla_escalations_pending on sla_escalations (workspace_id, created_at) where done_at is null;

    create table sla_notifications (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      escalation_id uuid not null references sla_escalations(id) on delete cascade,
      ticket_id uuid not null references tickets(id) on delete cascade,
      agent_id uuid not null references agents(id) on delete cascade,
      phase text not null,
      kind text not null,
      locale text not null,
      subject text not null,
      body text not null,
      created_at timestamptz not null default now(),
      unique (escalation_id, agent_id)
    );
    create index sla_notifications_agent on sla_notifications (workspace_id, agent_id, created_at desc);
  `.execute(db);
}
