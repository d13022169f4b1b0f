import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Round-robin order: a strictly increasing number per assignment, so two picks in the same
    -- millisecond (or under a frozen test clock) still have an order.
    create sequence routing_assignment_seq;

    -- Each agent's presence, capacity per kind of work and current load. Agents without a row are
    -- offline with the default capacities. Loads equal the number of routing_holdings rows of the
    -- agent and kind: both change in the same transaction, under this row's lock.
    create table routing_agents (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      agent_id uuid not null references agents(id) on delete cascade,
      availability text not null default 'offline' check (availability in ('online', 'away', 'offline')),
      availability_changed_at timestamptz not null default now(),
      ticket_capacity int not null default 20 check (ticket_capacity between 0 and 10000),
      chat_capacity int not null default 3 check (chat_capacity between 0 and 100),
      ticket_load int not null default 0 check (ticket_load >= 0),
      chat_load int not null default 0 check (chat_load >= 0),
      last_ticket_seq bigint,
      last_ticket_at timestamptz,
      last_chat_seq bigint,
      last_chat_at timestamptz,
      primary key (workspace_id, agent_id)
    );
    create index routing_agents_online on routing_agents (workspace_id, agent_id) where availability = 'online';

    -- How a department (team) is routed. No row: manual, no automatic assignment.
    create table routing_departments (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      department_id uuid not null references departments(id) on delete cascade,
      strategy text not null default 'manual' check (strategy in ('manual', 'round_robin', 'least_loaded')),
      auto_assign boolean not null default false,
      updated_at timestamptz not null default now(),
      primary key (workspace_id, department_id),
      check (not (auto_assign and strategy = 'manual'))
    );

    create table department_members (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      department_id uuid not null references departments(id) on delete cascade,
      agent_id uuid not null references agents(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (workspace_id, department_id, agent_id)
    );
    create index department_members_agent on department_members (workspace_id, agent_id);

    -- What each agent holds now: one row per ticket or chat counting against a capacity. A ticket
    -- claimed by auto-assignment is unconfirmed until the ticket shows the assignee.
    create table routing_holdings (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      kind text not null check (kind in ('ticket', 'chat')),
      item_id uuid not null,
      agent_id uuid not null references agents(id) on delete cascade,
      department_id uuid references departments(id) on delete set null,
      confirmed boolean not null default true,
      held_since timestamptz not null,
      primary key (workspace_id, kind, item_id)
    );
    create index routing_holdings_agent on routing_holdings (workspace_id, agent_id, kind);
    create index routing_holdings_unconfirmed on routing_holdings (workspace_id, held_since) where not confirmed;

    -- Every change of holder, for the contact-centre reports (assignments, transfers).
    create table routing_assignments (
      id bigint generated always as identity primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      kind text not null check (kind in ('ticket', 'chat')),
      item_id uuid not null,
      agent_id uuid,
      previous_agent_id uuid,
      department_id uuid,
      reason text not null check (reason in ('round_robin', 'least_loaded', 'manual', 'released')),
      created_at timestamptz not null default now()
    );
    create index routing_assignments_item on routing_assignments (workspace_id, kind, item_id, id);
    create index routing_assignments_recent on routing_assignments (workspace_id, created_at);

    -- Tickets already assigned before routing existed count against their agents' capacity.
    insert into routing_holdings (workspace_id, kind, item_id, agent_id, department_id, confirmed, held_since)
      select workspace_id, 'ticket', id, assignee_id, department_id, true, updated_at from tickets
      where assignee_id is not null and merged_into_id is null and status in ('new', 'open', 'pending', 'on_hold');
    insert into routing_agents (workspace_id, agent_id, ticket_load)
      select workspace_id, agent_id, count(*) from routing_holdings group by workspace_id, agent_id;
  `.execute(db);
}
