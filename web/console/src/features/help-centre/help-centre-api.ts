/**
 * The help centre's REST calls as the console uses them: the knowledge base (`/api/v1/kb/…`) and
 * search (`/api/v1/search/…`); see src/modules/kb/README.md and src/modules/search/. Bodies are
 * checked for the fields the screens rely on before they reach a component.
 */
import { ApiError, isRecord, request } from '../../api/http.js';

export type ContentLocale = 'en' | 'zh-CN';
export const CONTENT_LOCALES: readonly ContentLocale[] = ['zh-CN', 'en'];

export interface Category {
  id: string;
  parentId: string | null;
  slug: string;
  names: Partial<Record<ContentLocale, string>>;
  position: number;
}

export interface ArticleSummary {
  id: string;
  slug: string;
  locale: ContentLocale;
  title: string;
  categoryId: string | null;
  status: 'draft' | 'published';
  hasUnpublishedChanges: boolean;
  tags: string[];
  views: number;
  helpful: number;
  unhelpful: number;
  updatedAt: string;
}

export interface RevisionSummary {
  id: string;
  number: number;
  title: string;
  createdAt: string;
  published: boolean;
}

export interface Article extends ArticleSummary {
  description: string;
  url: string;
  draft: RevisionSummary & { markdown: string };
  translations: { id: string; locale: ContentLocale; title: string; status: string }[];
  revisions: RevisionSummary[];
}

export interface ArticleInput {
  title: string;
  markdown: string;
  locale: ContentLocale;
  categoryId: string | null;
  tags: string[];
  translationOf?: string;
}

function need<T>(body: unknown, key: string, check: (value: unknown) => boolean): T {
  if (!isRecord(body) || !check(body[key])) throw new ApiError('UNKNOWN', 200, `unexpected response: ${key}`);
  return body[key] as T;
}
const isArray = Array.isArray;

// ---- knowledge base ------------------------------------------------------------------------

export async function listCategories(): Promise<Category[]> {
  return need<Category[]>(await request('GET', '/api/v1/kb/categories'), 'categories', isArray);
}

export function createCategory(input: { slug: string; names: Partial<Record<ContentLocale, string>>; parentId: string | null }) {
  return request('POST', '/api/v1/kb/categories', { body: { slug: input.slug, names: input.names, ...(input.parentId ? { parentId: input.parentId } : {}) } });
}

export function updateCategory(id: string, patch: { names?: Partial<Record<ContentLocale, string>>; position?: number; parentId?: string | null }) {
  return request('PATCH', `/api/v1/kb/categories/${id}`, { body: patch });
}

export function deleteCategory(id: string) {
  return request('DELETE', `/api/v1/kb/categories/${id}`);
}

export interface ArticleFilter {
  status?: 'draft' | 'published';
  locale?: ContentLocale;
  categoryId?: string;
  q?: string;
}

export async function listArticles(filter: ArticleFilter): Promise<ArticleSummary[]> {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]);
  query.set('limit', '100');
  return need<ArticleSummary[]>(await request('GET', `/api/v1/kb/articles?${query.toString()}`), 'articles', isArray);
}

export async function getArticle(id: string): Promise<Article> {
  const body = await request('GET', `/api/v1/kb/articles/${id}`);
  need<string>(body, 'id', (v) => typeof v === 'string');
  need<object>(body, 'draft', isRecord);
  return body as Article;
}

export async function createArticle(input: ArticleInput): Promise<Article> {
  const { categoryId, translationOf, ...rest } = input;
  return (await request('POST', '/api/v1/kb/articles', {
    body: { ...rest, ...(categoryId ? { categoryId } : {}), ...(translationOf ? { translationOf } : {}) },
  })) as Article;
}

/** Saves a new draft revision (text) and the article's settings in one call. */
export async function saveArticle(id: string, input: Omit<ArticleInput, 'locale' | 'translationOf'>): Promise<Article> {
  return (await request('PATCH', `/api/v1/kb/articles/${id}`, { body: input })) as Article;
}

export async function publishArticle(id: string, revisionId?: string): Promise<Article> {
  return (await request('POST', `/api/v1/kb/articles/${id}/publish`, { body: revisionId ? { revisionId } : {} })) as Article;
}

export async function unpublishArticle(id: string): Promise<Article> {
  return (await request('POST', `/api/v1/kb/articles/${id}/unpublish`)) as Article;
}

export async function previewMarkdown(markdown: string): Promise<string> {
  return need<string>(await request('POST', '/api/v1/kb/preview', { body: { markdown } }), 'html', (v) => typeof v === 'string');
}

export interface ReportArticle extends ArticleSummary {
  helpfulRatio?: number;
  reason?: 'not_reviewed' | 'rated_down_since_edit';
}

export async function lowHelpfulness(): Promise<ReportArticle[]> {
  return need<ReportArticle[]>(await request('GET', '/api/v1/kb/reports/low-helpfulness?limit=20'), 'articles', isArray);
}

export async function staleArticles(days: number): Promise<ReportArticle[]> {
  return need<ReportArticle[]>(await request('GET', `/api/v1/kb/reports/stale?days=${days}&limit=50`), 'articles', isArray);
}

// ---- search: listening and synonyms --------------------------------------------------------

export const SEARCH_REPORTS = ['top', 'no-results', 'no-clicks'] as const;
export type SearchReport = (typeof SEARCH_REPORTS)[number];

export interface SearchRow {
  query: string;
  searches: number;
  averageResults: number;
  searchesWithClicks: number;
  lastSearchedAt: string;
}

export async function searchReport(report: SearchReport, days: number): Promise<SearchRow[]> {
  return need<SearchRow[]>(await request('GET', `/api/v1/search/reports/${report}?days=${days}&limit=20`), 'searches', isArray);
}

export interface SynonymGroup {
  id: string;
  locale: ContentLocale;
  terms: string[];
}

export async function listSynonyms(): Promise<SynonymGroup[]> {
  return need<SynonymGroup[]>(await request('GET', '/api/v1/search/synonyms'), 'synonyms', isArray);
}

export function createSynonyms(locale: ContentLocale, terms: string[]) {
  return request('POST', '/api/v1/search/synonyms', { body: { locale, terms } });
}

export function updateSynonyms(id: string, terms: string[]) {
  return request('PATCH', `/api/v1/search/synonyms/${id}`, { body: { terms } });
}

export function deleteSynonyms(id: string) {
  return request('DELETE', `/api/v1/search/synonyms/${id}`);
}
