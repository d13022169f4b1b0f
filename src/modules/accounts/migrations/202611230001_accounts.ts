import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table workspaces (
      id uuid primary key default gen_random_uuid(),
      slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      name jsonb not null,
      default_locale text not null default 'zh-CN' check (default_locale in ('en', 'zh-CN')),
      time_zone text not null default 'Asia/Shanghai',
      hostnames text[] not null default '{}',
      created_at timestamptz not null default now()
    );

    create table agents (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      email text not null check (email = lower(email)),
      name text not null,
      role text not null check (role in ('admin', 'agent', 'editor')),
      password_hash text not null,
      locale text check (locale in ('en', 'zh-CN')),
      disabled_at timestamptz,
      created_at timestamptz not null default now(),
      unique (workspace_id, email)
    );

    create table customers (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      email text not null check (email = lower(email)),
      name text not null,
      password_hash text,
      locale text check (locale in ('en', 'zh-CN')),
      created_at timestamptz not null default now(),
      unique (workspace_id, email)
    );

    create table sessions (
      token_hash text primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      principal_type text not null check (principal_type in ('agent', 'customer')),
      principal_id uuid not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index sessions_principal on sessions (workspace_id, principal_type, principal_id);

    create table api_tokens (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      agent_id uuid not null references agents(id) on delete cascade,
      name text not null,
      token_hash text not null unique,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );

    create table password_resets (
      token_hash text primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      principal_type text not null check (principal_type in ('agent', 'customer')),
      principal_id uuid not null,
      expires_at timestamptz not null,
      used_at timestamptz
    );

    create table audit_log (
      id bigint generated always as identity primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      actor_type text not null,
      actor_id uuid,
      action text not null,
      target_type text,
      target_id text,
      details jsonb not null default '{}',
      ip text,
      created_at timestamptz not null default now()
    );
    create index audit_log_recent on audit_log (workspace_id, id desc);
  `.execute(db);
}
