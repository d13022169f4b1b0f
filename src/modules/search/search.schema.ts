import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';
import type { DocumentKind } from '../../contracts/search.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;

export { DOCUMENT_KINDS, type DocumentKind } from '../../contracts/search.js';
export const SEARCH_SOURCES = ['portal', 'console', 'api', 'autoresponder', 'chat'] as const;
export type SearchSource = (typeof SEARCH_SOURCES)[number];
/** Searches people type are logged for the listening reports; automatic ones (autoresponder, chat) are not. */
export const LOGGED_SOURCES: ReadonlySet<SearchSource> = new Set(['portal', 'console', 'api']);
export const USEFULNESS_SIGNALS = ['view', 'helpful', 'unhelpful', 'ticket_after_read'] as const;
export type UsefulnessSignal = (typeof USEFULNESS_SIGNALS)[number];

export interface SearchDocumentsTable {
  workspace_id: WorkspaceId;
  kind: DocumentKind;
  document_id: string;
  locale: Locale;
  title: string;
  /** Alternative questions ("people also ask"). */
  questions: string[];
  body: string;
  category_id: string | null;
  product: string | null;
  tags: string[];
  url: string;
  published_at: Date;
  /** tsvector, written as a literal built by search.analyzer.ts */
  vector: string;
  title_vector: string;
  length: number;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Document frequency per lexeme: the IDF of ranking and the vocabulary typos are corrected against. */
export interface SearchTermsTable {
  workspace_id: WorkspaceId;
  term: string;
  documents: number;
}

export interface SearchCorpusTable {
  workspace_id: WorkspaceId;
  documents: number;
  lexemes: number;
}

export interface SearchUsefulnessTable {
  workspace_id: WorkspaceId;
  kind: DocumentKind;
  document_id: string;
  views: ColumnType<number, number | undefined, number>;
  helpful: ColumnType<number, number | undefined, number>;
  unhelpful: ColumnType<number, number | undefined, number>;
  clicks: ColumnType<number, number | undefined, number>;
  tickets_after_read: ColumnType<number, number | undefined, number>;
  boost: ColumnType<number, never, never>;
}

export interface SearchQueriesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  query: string;
  /** Lower-cased, spaces collapsed: what the reports group by. */
  normalised: string;
  locale: Locale | null;
  source: SearchSource;
  results: number;
  /** `kind:id` of the hits shown, so a click can be checked against them. */
  hit_keys: string[];
  /** 0 for the first page of results; the reports count only those. */
  page_offset: ColumnType<number, number | undefined, never>;
  created_at: Date;
}

export interface SearchClicksTable {
  id: Generated<number>;
  workspace_id: WorkspaceId;
  search_id: string;
  kind: DocumentKind;
  document_id: string;
  created_at: Date;
}

export interface SearchSynonymsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  locale: Locale;
  terms: string[];
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** A workspace's learned ranker (search.ranker.ts), replaced by each training. */
export interface SearchModelsTable {
  workspace_id: WorkspaceId;
  version: number;
  format: number;
  model: Buffer;
  documents: number;
  examples: number;
  training_ms: number;
  trained_at: Date;
  /** sha256 of what the model learned from; null for a model stored before it was kept. */
  learned_from: string | null;
}

export interface SearchTables {
  search_documents: SearchDocumentsTable;
  search_terms: SearchTermsTable;
  search_corpus: SearchCorpusTable;
  search_usefulness: SearchUsefulnessTable;
  search_queries: SearchQueriesTable;
  search_clicks: SearchClicksTable;
  search_synonyms: SearchSynonymsTable;
  search_models: SearchModelsTable;
}

export type SynonymRow = Selectable<SearchSynonymsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends SearchTables {}
}
