import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- API tokens get scopes, an optional expiry and a parent (issue 12 #7). Tokens made before
    -- scopes existed could do everything their owner could, so they keep that.
    alter table api_tokens
      add column scopes text[] not null default '{read,write,admin}'
        check (scopes <@ '{read,write,admin}'::text[] and 'read' = any(scopes)),
      add column expires_at timestamptz,
      add column parent_id uuid references api_tokens(id) on delete cascade;
    alter table api_tokens alter column scopes drop default;
    create index api_tokens_agent on api_tokens (workspace_id, agent_id) where revoked_at is null;
    create index api_tokens_parent on api_tokens (parent_id) where parent_id is not null;
  `.execute(db);
}
