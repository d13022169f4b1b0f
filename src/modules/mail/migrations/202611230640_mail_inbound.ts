import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Support addresses: where mail for a workspace arrives. An address belongs to one workspace
    -- (the SMTP listener routes by it before it knows any workspace), hence the global unique index.
    create table mail_addresses (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      address text not null check (address = lower(address)),
      display_name text,
      department_id uuid references departments(id) on delete set null,
      locale text check (locale in ('en', 'zh-CN')),
      created_at timestamptz not null default now()
    );
    create unique index mail_addresses_address on mail_addresses (address);
    create index mail_addresses_workspace on mail_addresses (workspace_id, created_at);

    -- IMAP mailboxes polled for companies whose mail lives elsewhere. The password is AES-256-GCM
    -- ciphertext; progress is (uid_validity, last_uid), never the \\Seen flag.
    create table mail_mailboxes (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      name text not null,
      host text not null,
      port integer not null check (port between 1 and 65535),
      tls text not null check (tls in ('implicit', 'starttls', 'none')),
      username text not null,
      password_encrypted text not null,
      folder text not null default 'INBOX',
      after_import text not null default 'flag' check (after_import in ('flag', 'move')),
      move_to text,
      address_id uuid references mail_addresses(id) on delete set null,
      enabled boolean not null default true,
      uid_validity bigint,
      last_uid bigint not null default 0,
      last_polled_at timestamptz,
      last_error text,
      created_at timestamptz not null default now()
    );
    create index mail_mailboxes_workspace on mail_mailboxes (workspace_id, created_at);

    -- Every message accepted, raw, in one insert before the SMTP 250 (or the IMAP flag); the job
    -- that processes it is keyed by this id. A redelivered Message-ID is refused by the unique index.
    create table mail_inbound (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      address_id uuid references mail_addresses(id) on delete set null,
      mailbox_id uuid references mail_mailboxes(id) on delete set null,
      source text not null check (source in ('smtp', 'imap')),
      envelope_from text,
      envelope_to text[] not null default '{}',
      remote_ip text,
      message_id text,
      raw bytea not null,
      size_bytes integer not null,
      status text not null default 'received' check (status in ('received', 'processed', 'parked')),
      outcome text check (outcome in ('ticket_created', 'message_added', 'bounce', 'duplicate', 'ignored')),
      reason text,
      autoreply_suppressed text,
      ticket_id uuid references tickets(id) on delete set null,
      ticket_message_id uuid references ticket_messages(id) on delete set null,
      subject text,
      from_address text,
      attempts integer not null default 0,
      received_at timestamptz not null default now(),
      processed_at timestamptz
    );
    create unique index mail_inbound_message_id on mail_inbound (workspace_id, message_id) where message_id is not null;
    create index mail_inbound_list on mail_inbound (workspace_id, status, received_at desc, id desc);
    create index mail_inbound_waiting on mail_inbound (received_at) where status = 'received';

    -- Message-IDs of inbound and outbound mail, for threading (see mail.schema.ts).
    create table mail_message_ids (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      message_id text not null,
      ticket_id uuid not null references tickets(id) on delete cascade,
      ticket_message_id uuid references ticket_messages(id) on delete cascade,
      direction text not null check (direction in ('inbound', 'outbound')),
      created_at timestamptz not null default now(),
      primary key (workspace_id, message_id)
    );
    create index mail_message_ids_ticket on mail_message_ids (workspace_id, ticket_id);

    -- Recipient addresses that bounced: delivery-status notifications mark them failing.
    create table mail_address_health (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      address text not null check (address = lower(address)),
      status text not null check (status in ('failing', 'ok')),
      bounce_count integer not null default 0,
      last_reason text,
      last_bounced_message_id text,
      last_bounce_at timestamptz,
      primary key (workspace_id, address)
    );

    -- One autoresponse decision per ticket (queued or skipped with a reason): the idempotency key
    -- and the per-sender rate limit's memory.
    create table mail_autoresponses (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      ticket_id uuid not null references tickets(id) on delete cascade,
      recipient text not null,
      outcome text not null check (outcome in ('queued', 'skipped')),
      reason text,
      created_at timestamptz not null default now(),
      primary key (workspace_id, ticket_id)
    );
    create index mail_autoresponses_recipient on mail_autoresponses (workspace_id, recipient, created_at) where outcome = 'queued';
  `.execute(db);
}
