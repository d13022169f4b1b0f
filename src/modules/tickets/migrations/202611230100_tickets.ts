import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table departments (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      key text not null check (key ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
      name jsonb not null,
      position int not null default 0,
      archived_at timestamptz,
      unique (workspace_id, key)
    );

    -- Urgency is a fixed order of five levels (0 thanks … 4 red alert); only their names vary.
    create table ticket_settings (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      urgency_names jsonb not null,
      last_ticket_number int not null default 0
    );

    create table tickets (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      number int not null,
      subject text not null,
      status text not null default 'new' check (status in ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
      urgency smallint not null default 1 check (urgency between 0 and 4),
      department_id uuid references departments(id),
      assignee_id uuid references agents(id),
      customer_id uuid not null references customers(id),
      channel text not null check (channel in ('web', 'email', 'chat', 'forum', 'api', 'phone', 'sms')),
      tags text[] not null default '{}',
      custom_fields jsonb not null default '{}',
      merged_into_id uuid references tickets(id),
      first_response_at timestamptz,
      first_response_due_at timestamptz,
      next_response_due_at timestamptz,
      resolution_due_at timestamptz,
      last_customer_message_at timestamptz,
      last_agent_message_at timestamptz,
      solved_at timestamptz,
      csat_rating smallint check (csat_rating between 1 and 5),
      csat_comment text,
      csat_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (workspace_id, number)
    );
    -- Inbox lists: newest activity first, keyset-paginated on (updated_at, id), per view.
    create index tickets_inbox_all on tickets (workspace_id, updated_at desc, id desc) where merged_into_id is null;
    create index tickets_inbox_assignee on tickets (workspace_id, assignee_id, updated_at desc, id desc) where merged_into_id is null;
    create index tickets_inbox_unassigned on tickets (workspace_id, updated_at desc, id desc)
      where assignee_id is null and merged_into_id is null and status in ('new', 'open', 'pending', 'on_hold');
    create index tickets_inbox_department on tickets (workspace_id, department_id, updated_at desc, id desc) where merged_into_id is null;
    create index tickets_by_customer on tickets (workspace_id, customer_id, updated_at desc);
    create index tickets_due on tickets (workspace_id, least(first_response_due_at, next_response_due_at, resolution_due_at))
      where status in ('new', 'open', 'on_hold');
    create index tickets_tags on tickets using gin (tags);
    create index tickets_subject_trgm on tickets using gin (subject gin_trgm_ops);

    create table ticket_messages (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      ticket_id uuid not null references tickets(id) on delete cascade,
      kind text not null check (kind in ('reply', 'note')),
      author_type text not null check (author_type in ('customer', 'agent', 'system')),
      author_id uuid,
      channel text not null,
      body_text text not null,
      body_html text,
      -- The sender's own id (Message-ID, client message id): a retry never stores a message twice.
      external_id text,
      created_at timestamptz not null default now()
    );
    create index ticket_messages_thread on ticket_messages (ticket_id, created_at, id);
    create unique index ticket_messages_external on ticket_messages (workspace_id, external_id) where external_id is not null;

    create table ticket_attachments (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      message_id uuid not null references ticket_messages(id) on delete cascade,
      filename text not null,
      content_type text not null,
      size_bytes int not null,
      sha256 text not null,
      storage_key text not null,
      created_at timestamptz not null default now()
    );
    create index ticket_attachments_message on ticket_attachments (message_id);

    create table ticket_links (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      ticket_id uuid not null references tickets(id) on delete cascade,
      related_id uuid not null references tickets(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (ticket_id, related_id),
      check (ticket_id <> related_id)
    );

    create table ticket_activity (
      id bigint generated always as identity primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      ticket_id uuid not null references tickets(id) on delete cascade,
      actor_type text not null,
      actor_id uuid,
      action text not null,
      details jsonb not null default '{}',
      created_at timestamptz not null default now()
    );
    create index ticket_activity_ticket on ticket_activity (ticket_id, id);

    create table saved_views (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      agent_id uuid references agents(id) on delete cascade,
      name text not null,
      filters jsonb not null,
      created_at timestamptz not null default now()
    );

    create table canned_replies (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      title text not null,
      body text not null,
      locale text check (locale in ('en', 'zh-CN')),
      created_at timestamptz not null default now()
    );
  `.execute(db);
}
