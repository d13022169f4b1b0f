import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Mail is written here first, in the same transaction as what caused it; delivery reads from here.
  await sql`
    create table mail_outbox (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      to_address text not null,
      subject text not null,
      text_body text not null,
      html_body text,
      template text not null,
      locale text not null,
      status text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
      created_at timestamptz not null default now()
    );
    create index mail_outbox_queued on mail_outbox (created_at) where status = 'queued';
  `.execute(db);
}
