import type { Locale } from '../../core/i18n/index.js';

/**
 * What the knowledge base needs from the search module (src/modules/search, SEARCH's
 * `SearchService`): the KB pushes published articles in and takes them out; the portal asks it.
 * Declared here, structurally, so this module depends on the calls and not on search's internals.
 */
export interface ArticleDocument {
  kind: 'article';
  id: string;
  locale: Locale;
  title: string;
  /** Plain text, no markup. */
  body: string;
  categoryId: string | null;
  product: string | null;
  tags: string[];
  url: string;
  publishedAt: Date;
}

export interface SearchHit {
  kind: 'article' | 'topic';
  id: string;
  title: string;
  url: string;
  /** Escaped text with `<mark>` highlights only: safe to put in a page as is. */
  snippetHtml: string;
  score: number;
}

export interface SearchResults {
  searchId: string | null;
  total: number;
  hits: SearchHit[];
}

export type Usefulness = 'view' | 'helpful' | 'unhelpful';

export interface KbSearch {
  index(workspaceId: string, document: ArticleDocument): Promise<unknown>;
  remove(workspaceId: string, kind: 'article', id: string): Promise<unknown>;
  search(workspaceId: string, query: { q: string; locale?: Locale; categoryId?: string; limit?: number; offset?: number; source: 'portal' }): Promise<SearchResults>;
  recordUsefulness(workspaceId: string, kind: 'article', id: string, signal: Usefulness): Promise<unknown>;
  /** The few documents that clearly answer a text (nothing logged): related-article suggestions. */
  bestAnswers(workspaceId: string, text: string, locale: Locale, limit: number): Promise<SearchHit[]>;
}
