import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A decision tree per locale and product. Nodes are one JSON document: a tree is saved, checked
    -- (no cycles, no dangling answers, one root) and published as a whole, never node by node.
    create table troubleshooting_trees (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      slug text not null check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
      locale text not null check (locale in ('zh-CN', 'en')),
      product text not null check (length(product) between 1 and 120),
      title text not null check (length(title) between 1 and 200),
      description text not null default '' check (length(description) <= 1000),
      nodes jsonb not null,
      version int not null default 1,
      -- The snapshot customers walk: editing the draft changes nothing on the portal until publish.
      published jsonb,
      published_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (workspace_id, locale, slug)
    );

    -- Counters, incremented in place: a busy tree costs one row per node, not one per page view.
    create table troubleshooting_node_stats (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      tree_id uuid not null references troubleshooting_trees(id) on delete cascade,
      node_id text not null,
      visits bigint not null default 0,
      advances bigint not null default 0,
      solutions bigint not null default 0,
      repairs bigint not null default 0,
      primary key (tree_id, node_id)
    );
  `.execute(db);
}
