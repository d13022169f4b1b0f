import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Channels other systems (SMS gateways, phone systems) post contacts through, HMAC-signed.
    create table chat_channels (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      name text not null,
      kind text not null check (kind in ('sms', 'phone', 'api')),
      secret text not null,
      outbound_url text,
      department_id uuid references departments(id) on delete set null,
      enabled boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index chat_channels_workspace on chat_channels (workspace_id, created_at);

    -- The live state of a chat beside its ticket: queue, offer, agent, the timestamps the metrics
    -- are computed from. Kept in Postgres, not in a process, so any web node can serve any chat.
    create table chat_sessions (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      ticket_id uuid not null references tickets(id) on delete cascade,
      ticket_number int not null,
      customer_id uuid not null,
      visitor_name text not null,
      visitor_email text not null,
      locale text not null,
      source text not null check (source in ('web', 'webhook')),
      channel_id uuid references chat_channels(id) on delete set null,
      external_from text,
      department_id uuid references departments(id) on delete set null,
      status text not null check (status in ('queued', 'offered', 'active', 'ended', 'abandoned', 'offline')),
      queued_at timestamptz not null,
      queue_entered_at timestamptz not null,
      offered_to uuid,
      offer_expires_at timestamptz,
      declined_by uuid[] not null default '{}',
      agent_id uuid,
      agent_name text,
      answered_by uuid,
      answered_at timestamptz,
      ended_at timestamptz,
      ended_by text check (ended_by in ('agent', 'visitor', 'system')),
      acw_ended_at timestamptz,
      transfers int not null default 0,
      overflowed_at timestamptz,
      -- Set while no widget of the visitor is connected; a waiting chat left this long is abandoned.
      visitor_left_at timestamptz,
      last_seq int not null default 0,
      visitor_read_seq int not null default 0,
      agent_read_seq int not null default 0,
      created_at timestamptz not null default now(),
      unique (workspace_id, ticket_id)
    );
    create index chat_sessions_waiting on chat_sessions (workspace_id, queued_at) where status in ('queued', 'offered');
    create index chat_sessions_offers_due on chat_sessions (offer_expires_at) where status = 'offered';
    create index chat_sessions_period on chat_sessions (workspace_id, queued_at);
    create index chat_sessions_agent on chat_sessions (workspace_id, agent_id) where status = 'active';
    create index chat_sessions_channel_from on chat_sessions (workspace_id, channel_id, external_from) where status in ('queued', 'offered', 'active');

    -- The conversation's delivery log: one row per message with its per-conversation sequence
    -- number; the text and files themselves are the ticket's message (message_id).
    create table chat_messages (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      session_id uuid not null references chat_sessions(id) on delete cascade,
      seq int not null,
      -- The ticket message; null for system notices (joined, transferred, offline), which live only here.
      message_id uuid,
      client_message_id text,
      author_type text not null check (author_type in ('visitor', 'agent', 'system')),
      author_id uuid,
      author_name text not null,
      body_text text not null,
      attachments jsonb not null default '[]',
      created_at timestamptz not null,
      primary key (workspace_id, session_id, seq)
    );
    create unique index chat_messages_client on chat_messages (workspace_id, session_id, author_type, client_message_id) where client_message_id is not null;
    -- Messages whose ticket copy is still to be written (normally for a moment only).
    create index chat_messages_unmirrored on chat_messages (workspace_id, created_at) where message_id is null and author_type <> 'system';

    -- Every offer rung at an agent and how it ended, for per-agent metrics and the re-offer rule.
    create table chat_offers (
      id bigint generated always as identity primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      session_id uuid not null references chat_sessions(id) on delete cascade,
      agent_id uuid not null,
      offered_at timestamptz not null,
      outcome text check (outcome in ('accepted', 'timeout', 'declined', 'withdrawn')),
      ended_at timestamptz
    );
    create index chat_offers_period on chat_offers (workspace_id, offered_at);

    -- Presence intervals (one open row per agent): logged-in hours for the cost per contact.
    create table chat_presence_log (
      id bigint generated always as identity primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      agent_id uuid not null,
      presence text not null,
      started_at timestamptz not null,
      ended_at timestamptz
    );
    create index chat_presence_log_period on chat_presence_log (workspace_id, started_at);
    create unique index chat_presence_log_open on chat_presence_log (workspace_id, agent_id) where ended_at is null;

    create table chat_settings (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      offer_timeout_seconds int not null default 20 check (offer_timeout_seconds between 5 and 600),
      acw_seconds int not null default 30 check (acw_seconds between 0 and 3600),
      service_level_seconds int not null default 20 check (service_level_seconds between 1 and 3600),
      cost_per_agent_hour numeric(12, 2) not null default 0 check (cost_per_agent_hour >= 0),
      respect_business_hours boolean not null default true,
      default_department_id uuid references departments(id) on delete set null,
      updated_at timestamptz not null default now()
    );
  `.execute(db);
}
