import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Alternative questions ("people also ask"): searched (weight B) and learned from.
    alter table search_documents add column questions text[] not null default '{}';

    -- The learned ranker of each workspace (search.ranker.ts): one row, replaced by each training,
    -- its version counted up so every node sees a new model at its next search. format names the
    -- stored form: a node never reads a model of another format (it is retrained instead).
    create table search_models (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      version int not null,
      format int not null,
      model bytea not null,
      documents int not null,
      examples int not null,
      training_ms int not null,
      trained_at timestamptz not null
    );
    -- Every search looks the version up; the model itself (megabytes) only when it changed.
    alter table search_models alter column model set storage external;

    -- Training reads each document's clicked searches: clicks by document.
    create index search_clicks_document on search_clicks (workspace_id, kind, document_id);
  `.execute(db);
}
