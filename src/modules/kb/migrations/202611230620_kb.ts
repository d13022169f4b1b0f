import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table kb_categories (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      parent_id uuid references kb_categories(id) on delete restrict,
      slug text not null check (slug ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
      -- {"en": "...", "zh-CN": "..."}: one row per category, its names per language.
      names jsonb not null,
      descriptions jsonb not null default '{}',
      position int not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (workspace_id, slug)
    );

    create table kb_articles (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      -- The zh-CN and en versions of one article share a group; one article per language in it.
      translation_group_id uuid not null,
      locale text not null check (locale in ('en', 'zh-CN')),
      slug text not null check (slug ~ '^[a-z0-9][a-z0-9-]{0,119}$'),
      category_id uuid references kb_categories(id) on delete restrict,
      -- Title of the newest revision, for lists; the portal shows the published revision's.
      title text not null,
      status text not null default 'draft' check (status in ('draft', 'published')),
      draft_revision_id uuid,
      published_revision_id uuid,
      faq boolean not null default false,
      tags text[] not null default '{}',
      product text,
      views bigint not null default 0,
      helpful int not null default 0,
      unhelpful int not null default 0,
      -- Votes down counted since the last published edit: the stale report's second reason.
      unhelpful_since_edit int not null default 0,
      published_at timestamptz,
      last_reviewed_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (workspace_id, slug),
      unique (translation_group_id, locale)
    );
    -- The editor's list: newest-updated first, keyset on (updated_at, id).
    create index kb_articles_list on kb_articles (workspace_id, updated_at desc, id desc);
    create index kb_articles_published on kb_articles (workspace_id, locale, views desc) where status = 'published';
    create index kb_articles_category on kb_articles (category_id);

    create table kb_revisions (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      article_id uuid not null references kb_articles(id) on delete cascade,
      number int not null,
      title text not null,
      description text not null default '',
      markdown text not null,
      author_id uuid,
      created_at timestamptz not null default now(),
      unique (article_id, number)
    );
    alter table kb_articles add foreign key (draft_revision_id) references kb_revisions(id) deferrable initially deferred;
    alter table kb_articles add foreign key (published_revision_id) references kb_revisions(id) deferrable initially deferred;

    -- Internal links of each published article, by target slug: a deleted or renamed target
    -- simply stops resolving (plain text on the page) and its back links disappear with it.
    create table kb_links (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      source_article_id uuid not null references kb_articles(id) on delete cascade,
      target_slug text not null,
      primary key (source_article_id, target_slug)
    );
    create index kb_links_target on kb_links (workspace_id, target_slug);

    create table kb_related (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      article_id uuid not null references kb_articles(id) on delete cascade,
      related_id uuid not null references kb_articles(id) on delete cascade,
      position int not null default 0,
      primary key (article_id, related_id),
      check (article_id <> related_id)
    );

    create table kb_attachments (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      article_id uuid references kb_articles(id) on delete set null,
      storage_key text not null,
      filename text not null,
      content_type text not null,
      size_bytes bigint not null,
      sha256 text not null,
      created_at timestamptz not null default now()
    );
    create index kb_attachments_article on kb_attachments (article_id);

    -- One vote per visitor and article: the visitor is a signed-in customer or an anonymous cookie.
    create table kb_votes (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      article_id uuid not null references kb_articles(id) on delete cascade,
      visitor text not null,
      helpful boolean not null,
      comment text check (length(comment) <= 2000),
      created_at timestamptz not null default now(),
      unique (article_id, visitor)
    );

    create table kb_subscriptions (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      target_kind text not null check (target_kind in ('category', 'article')),
      target_id uuid not null,
      -- The consent the customer gave, when and from where (the checkbox on the follow form).
      consent_at timestamptz not null,
      consent_ip text,
      created_at timestamptz not null default now(),
      unique (customer_id, target_kind, target_id)
    );
    create index kb_subscriptions_target on kb_subscriptions (workspace_id, target_kind, target_id);

    -- Changes waiting for a subscriber's next digest; the digest job takes and deletes them.
    create table kb_digest_items (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      article_id uuid not null references kb_articles(id) on delete cascade,
      subscription_id uuid not null references kb_subscriptions(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (customer_id, article_id, subscription_id)
    );

    -- Each digest sent; its token (random, only its hash kept) unsubscribes from what caused it.
    create table kb_digests (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      article_ids uuid[] not null,
      subscription_ids uuid[] not null,
      token_hash text not null unique,
      created_at timestamptz not null default now()
    );
    create index kb_digests_customer on kb_digests (workspace_id, customer_id, created_at desc);
  `.execute(db);
}
