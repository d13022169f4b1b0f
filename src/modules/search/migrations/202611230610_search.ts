import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- One row per searchable document (help article, forum topic) of a workspace. The tsvector is
    -- built in JS (jieba words + bigrams for Chinese, Porter stems for English); see search.analyzer.ts.
    create table search_documents (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      kind text not null check (kind in ('article', 'topic')),
      document_id text not null check (length(document_id) between 1 and 200),
      locale text not null check (locale in ('zh-CN', 'en')),
      title text not null,
      body text not null,
      category_id text,
      product text,
      tags text[] not null default '{}',
      url text not null,
      published_at timestamptz not null,
      vector tsvector not null,
      length int not null,
      updated_at timestamptz not null default now(),
      primary key (workspace_id, kind, document_id)
    );
    create index search_documents_vector on search_documents using gin (vector);
    -- Suggestions fall back to fuzzy title matches when no title word starts with what was typed.
    create index search_documents_title_trgm on search_documents using gin (lower(title) gin_trgm_ops);

    create table search_terms (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      term text not null,
      documents int not null,
      primary key (workspace_id, term)
    );
    -- Typo correction: the nearest known term by trigram similarity.
    create index search_terms_trgm on search_terms using gin (term gin_trgm_ops);

    create table search_corpus (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      documents int not null,
      lexemes bigint not null
    );

    -- Learned usefulness. Kept apart from the documents: signals may arrive before (re)indexing,
    -- and a vote must not rewrite a row holding a big tsvector.
    create table search_usefulness (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      kind text not null check (kind in ('article', 'topic')),
      document_id text not null,
      views int not null default 0,
      helpful int not null default 0,
      unhelpful int not null default 0,
      clicks int not null default 0,
      tickets_after_read int not null default 0,
      -- The rank multiplier, 0.75–1.25 from the smoothed share of good signals (5 neutral
      -- pseudo-votes damp the first few), times a gentle log of how often it is opened.
      boost real generated always as (
        (0.75 + 0.5 * ((helpful + 0.3 * clicks + 2.5) / (helpful + 0.3 * clicks + unhelpful + tickets_after_read + 5.0)))
        * (1 + 0.03 * ln(1 + views + clicks))
      ) stored,
      primary key (workspace_id, kind, document_id)
    );

    create table search_queries (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      query text not null,
      normalised text not null,
      locale text,
      source text not null check (source in ('portal', 'console', 'api', 'autoresponder', 'chat')),
      results int not null,
      hit_keys text[] not null default '{}',
      created_at timestamptz not null
    );
    create index search_queries_recent on search_queries (workspace_id, created_at);

    create table search_clicks (
      id bigint generated always as identity primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      search_id uuid not null references search_queries(id) on delete cascade,
      kind text not null,
      document_id text not null,
      created_at timestamptz not null
    );
    create index search_clicks_search on search_clicks (search_id);

    create table search_synonyms (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      locale text not null check (locale in ('zh-CN', 'en')),
      terms text[] not null check (cardinality(terms) between 2 and 20),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index search_synonyms_workspace on search_synonyms (workspace_id, locale);
  `.execute(db);
}
