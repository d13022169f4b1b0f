import type { Locale } from '../../core/i18n/index.js';
import type { SearchDocument, SearchHit, SearchResults } from '../search/index.js';

/** An article as search stores it (plain-text body). */
export type ArticleDocument = SearchDocument & { kind: 'article' };

export type Usefulness = 'view' | 'helpful' | 'unhelpful';

/**
 * The calls the knowledge base makes of the search module (`SearchService`): it pushes published
 * articles in and takes them out; the portal asks it. Only these calls, so tests can stand in for search.
 */
export interface KbSearch {
  index(workspaceId: string, document: ArticleDocument): Promise<unknown>;
  remove(workspaceId: string, kind: 'article', id: string): Promise<unknown>;
  search(workspaceId: string, query: { q: string; locale?: Locale; categoryId?: string; limit?: number; offset?: number; source: 'portal'; log?: boolean }): Promise<SearchResults>;
  recordUsefulness(workspaceId: string, kind: 'article', id: string, signal: Usefulness): Promise<unknown>;
  /** The few documents that clearly answer a text (nothing logged): related-article suggestions. */
  bestAnswers(workspaceId: string, text: string, locale: Locale, limit: number): Promise<SearchHit[]>;
}
