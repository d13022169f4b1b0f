import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- An admin invites an agent by e-mail (issue 19, 1): the agent account is made only when the
    -- invited person follows the one-time link and chooses a password. Only the link's hash is
    -- kept; a resend replaces it, so an older mail's link stops working.
    create table agent_invitations (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      email text not null check (email = lower(email)),
      name text not null,
      role text not null check (role in ('admin', 'agent', 'editor')),
      locale text check (locale in ('en', 'zh-CN')),
      token_hash text not null unique,
      invited_by uuid references agents(id) on delete set null,
      created_at timestamptz not null default now(),
      sent_at timestamptz not null default now(),
      expires_at timestamptz not null,
      accepted_at timestamptz,
      revoked_at timestamptz,
      agent_id uuid references agents(id) on delete set null
    );
    -- One open invitation per address: inviting again is a resend.
    create unique index agent_invitations_open on agent_invitations (workspace_id, email) where accepted_at is null and revoked_at is null;
  `.execute(db);
}
