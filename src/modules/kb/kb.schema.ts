import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Json<T> = ColumnType<T, string, string>;

export type LocalisedText = Partial<Record<Locale, string>>;
export type ArticleStatus = 'draft' | 'published';
export type SubscriptionTarget = 'category' | 'article';

export interface KbCategoriesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  parent_id: string | null;
  slug: string;
  names: Json<LocalisedText>;
  descriptions: ColumnType<LocalisedText, string | undefined, string>;
  position: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface KbArticlesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  translation_group_id: string;
  locale: Locale;
  slug: string;
  category_id: string | null;
  title: string;
  status: ColumnType<ArticleStatus, ArticleStatus | undefined, ArticleStatus>;
  draft_revision_id: string | null;
  published_revision_id: string | null;
  faq: ColumnType<boolean, boolean | undefined, boolean>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  /** Alternative questions ("people also ask"): searched and learned from. */
  questions: ColumnType<string[], string[] | undefined, string[]>;
  product: string | null;
  views: ColumnType<string, never, never>;
  helpful: ColumnType<number, never, never>;
  unhelpful: ColumnType<number, never, never>;
  unhelpful_since_edit: ColumnType<number, never, number>;
  published_at: Date | null;
  last_reviewed_at: Date | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface KbRevisionsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  article_id: string;
  number: number;
  title: string;
  description: ColumnType<string, string | undefined, never>;
  markdown: string;
  author_id: string | null;
  created_at: CreatedAt;
}

export interface KbLinksTable {
  workspace_id: WorkspaceId;
  source_article_id: string;
  target_slug: string;
}

export interface KbRelatedTable {
  workspace_id: WorkspaceId;
  article_id: string;
  related_id: string;
  position: ColumnType<number, number | undefined, number>;
}

export interface KbAttachmentsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  article_id: string | null;
  storage_key: string;
  filename: string;
  content_type: string;
  size_bytes: ColumnType<number, number, never>;
  sha256: string;
  created_at: CreatedAt;
}

export interface KbVotesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  article_id: string;
  visitor: string;
  helpful: boolean;
  comment: string | null;
  created_at: CreatedAt;
}

export interface KbSubscriptionsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  customer_id: string;
  target_kind: SubscriptionTarget;
  target_id: string;
  consent_at: Date;
  consent_ip: string | null;
  created_at: CreatedAt;
}

export interface KbDigestItemsTable {
  workspace_id: WorkspaceId;
  customer_id: string;
  article_id: string;
  subscription_id: string;
  created_at: CreatedAt;
}

export interface KbDigestsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  customer_id: string;
  article_ids: string[];
  subscription_ids: string[];
  token_hash: string;
  created_at: CreatedAt;
}

export interface KbTables {
  kb_categories: KbCategoriesTable;
  kb_articles: KbArticlesTable;
  kb_revisions: KbRevisionsTable;
  kb_links: KbLinksTable;
  kb_related: KbRelatedTable;
  kb_attachments: KbAttachmentsTable;
  kb_votes: KbVotesTable;
  kb_subscriptions: KbSubscriptionsTable;
  kb_digest_items: KbDigestItemsTable;
  kb_digests: KbDigestsTable;
}

export type CategoryRow = Selectable<KbCategoriesTable>;
export type ArticleRow = Selectable<KbArticlesTable>;
export type RevisionRow = Selectable<KbRevisionsTable>;
export type AttachmentRow = Selectable<KbAttachmentsTable>;
export type SubscriptionRow = Selectable<KbSubscriptionsTable>;
export type DigestRow = Selectable<KbDigestsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends KbTables {}
}
