import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Delivery state of the outbox. A row is 'held' when no SMTP server is configured (kept, viewable,
    -- released later), 'queued' until an attempt claims it ('sending'), then 'sent' or, after a
    -- permanent refusal or the last attempt, 'failed'.
    alter table mail_outbox drop constraint mail_outbox_status_check;
    alter table mail_outbox
      add column seq bigint generated always as identity,
      -- Without angle brackets, like mail_message_ids. Set at queue time and kept across attempts:
      -- a resend after an unknown outcome carries the same id, so the receiving side can tell.
      add column message_id text,
      add column from_address text not null default '',
      add column reply_to text,
      add column in_reply_to text,
      add column reference_ids text[] not null default '{}',
      add column auto_submitted text check (auto_submitted in ('auto-replied', 'auto-generated')),
      add column ticket_id uuid references tickets(id) on delete set null,
      add column ticket_message_id uuid references ticket_messages(id) on delete set null,
      add column attachment_ids uuid[] not null default '{}',
      add column idempotency_key text check (length(idempotency_key) between 1 and 200),
      add column attempts int not null default 0,
      -- Raised by a manual retry, so a failed mail gets a fresh budget while attempts keep counting.
      add column attempt_limit int not null default 10,
      add column next_attempt_at timestamptz not null default now(),
      add column claimed_at timestamptz,
      add column sent_at timestamptz,
      add column last_error text;
    update mail_outbox set message_id = gen_random_uuid() || '@kefu.invalid' where message_id is null;
    alter table mail_outbox alter column message_id set not null;
    alter table mail_outbox add constraint mail_outbox_status_check
      check (status in ('held', 'queued', 'sending', 'sent', 'failed'));
    create unique index mail_outbox_message_id on mail_outbox (message_id);
    create unique index mail_outbox_idempotency on mail_outbox (workspace_id, idempotency_key) where idempotency_key is not null;
    -- The console's list: newest first per workspace, keyset on seq, optionally by status.
    create index mail_outbox_log on mail_outbox (workspace_id, seq desc);
    create index mail_outbox_log_status on mail_outbox (workspace_id, status, seq desc);
    -- The sweeper: due rows and stale claims, across workspaces.
    drop index mail_outbox_queued;
    create index mail_outbox_due on mail_outbox (next_attempt_at) where status = 'queued';
    create index mail_outbox_claimed on mail_outbox (claimed_at) where status = 'sending';
    create index mail_outbox_ticket on mail_outbox (ticket_id) where ticket_id is not null;

    create table mail_outbox_attempts (
      id bigint generated always as identity primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      outbox_id uuid not null references mail_outbox(id) on delete cascade,
      attempt int not null,
      started_at timestamptz not null,
      duration_ms int not null,
      outcome text not null check (outcome in ('sent', 'transient', 'permanent', 'unknown')),
      smtp_code int,
      response text
    );
    create index mail_outbox_attempts_of on mail_outbox_attempts (outbox_id, id);
  `.execute(db);
}
