/**
 * The help centre's REST calls as the console uses them: the knowledge base (`/api/v1/kb/…`) and
 * search (`/api/v1/search/…`); see src/modules/kb/README.md and src/modules/search/. Bodies are
 * checked for the fields the screens rely on before they reach a component.
 */
import type { LOCALES } from '@contracts/enums.js';
import type {
  ArticlePatchBody, ArticleSummaryWire, AttachmentWire, ArticleWire, CategoryPatchBody, CategoryWire, FeedbackPageWire, LowHelpfulnessWire, NewArticleBody, NewCategoryBody, RevisionSummaryWire, StaleWire,
} from '@contracts/kb.js';
import type { NewSynonymsBody, SearchReport, SearchRowWire, SynonymWire, SynonymsPatchBody } from '@contracts/search.js';
import { ApiError, isRecord, request } from '../../api/http.js';

export { LOCALES as CONTENT_LOCALES } from '@contracts/enums.js';
export type ContentLocale = (typeof LOCALES)[number];
export type Category = CategoryWire;
export type ArticleSummary = ArticleSummaryWire;
export type RevisionSummary = RevisionSummaryWire;
export type Article = ArticleWire;
export type SynonymGroup = SynonymWire;
export type SearchRow = SearchRowWire;
export type { SearchReport };

/** The editor's article: what it sends, with "no category" as null (the API takes it absent on create). */
export type ArticleInput = Required<Pick<NewArticleBody, 'title' | 'markdown' | 'locale' | 'tags' | 'questions'>> & { categoryId: string | null; translationOf?: string };

function need<T>(body: unknown, key: string, check: (value: unknown) => boolean): T {
  if (!isRecord(body) || !check(body[key])) throw new ApiError('UNKNOWN', 200, `unexpected response: ${key}`);
  return body[key] as T;
}
const isArray = Array.isArray;

// ---- knowledge base ------------------------------------------------------------------------

export async function listCategories(): Promise<Category[]> {
  return need<Category[]>(await request('GET', '/api/v1/kb/categories'), 'categories', isArray);
}

export function createCategory(input: Pick<NewCategoryBody, 'slug' | 'names'> & { parentId: string | null }) {
  const body: NewCategoryBody = { slug: input.slug, names: input.names, ...(input.parentId ? { parentId: input.parentId } : {}) };
  return request('POST', '/api/v1/kb/categories', { body });
}

export function updateCategory(id: string, patch: Pick<CategoryPatchBody, 'names' | 'position' | 'parentId'>) {
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
  const body: NewArticleBody = { ...rest, ...(categoryId ? { categoryId } : {}), ...(translationOf ? { translationOf } : {}) };
  return (await request('POST', '/api/v1/kb/articles', { body })) as Article;
}

/** Saves a new draft revision (text) and the article's settings in one call. */
export async function saveArticle(id: string, input: Omit<ArticleInput, 'locale' | 'translationOf'>): Promise<Article> {
  const body: ArticlePatchBody = input;
  return (await request('PATCH', `/api/v1/kb/articles/${id}`, { body })) as Article;
}

export async function publishArticle(id: string, revisionId?: string): Promise<Article> {
  return (await request('POST', `/api/v1/kb/articles/${id}/publish`, { body: revisionId ? { revisionId } : {} })) as Article;
}

export async function unpublishArticle(id: string): Promise<Article> {
  return (await request('POST', `/api/v1/kb/articles/${id}/unpublish`)) as Article;
}

/** Uploads an image for the article's text (PNG, JPEG, GIF or WebP; the API checks the bytes and the size). */
export async function uploadImage(articleId: string, file: File): Promise<AttachmentWire> {
  const body = await request('POST', `/api/v1/kb/articles/${articleId}/images?filename=${encodeURIComponent(file.name || 'image.png')}`, { body: file });
  need<string>(body, 'url', (v) => typeof v === 'string');
  return body as AttachmentWire;
}

export async function previewMarkdown(markdown: string): Promise<string> {
  return need<string>(await request('POST', '/api/v1/kb/preview', { body: { markdown } }), 'html', (v) => typeof v === 'string');
}

/** A row of either article report: the low-helpfulness one carries a ratio, the stale one a reason. */
export type ReportArticle = ArticleSummary & Partial<Pick<LowHelpfulnessWire['articles'][number], 'helpfulRatio'> & Pick<StaleWire['articles'][number], 'reason'>>;

export async function lowHelpfulness(): Promise<ReportArticle[]> {
  return need<ReportArticle[]>(await request('GET', '/api/v1/kb/reports/low-helpfulness?limit=20'), 'articles', isArray);
}

export async function staleArticles(days: number): Promise<ReportArticle[]> {
  return need<ReportArticle[]>(await request('GET', `/api/v1/kb/reports/stale?days=${days}&limit=50`), 'articles', isArray);
}

export type FeedbackPage = FeedbackPageWire;
export type FeedbackComment = FeedbackPageWire['comments'][number];

/** What customers wrote with "not helpful" votes, newest first: every article's, or one's (editors and admins). */
export async function unhelpfulComments(options: { articleId?: string; cursor?: string | null }): Promise<FeedbackPage> {
  const query = new URLSearchParams({ limit: '20' });
  if (options.articleId) query.set('articleId', options.articleId);
  if (options.cursor) query.set('cursor', options.cursor);
  const body = await request('GET', `/api/v1/kb/feedback?${query.toString()}`);
  need<FeedbackComment[]>(body, 'comments', isArray);
  return body as FeedbackPage;
}

// ---- search: listening and synonyms --------------------------------------------------------

export { SEARCH_REPORTS } from '@contracts/enums.js';

export async function searchReport(report: SearchReport, days: number): Promise<SearchRow[]> {
  return need<SearchRow[]>(await request('GET', `/api/v1/search/reports/${report}?days=${days}&limit=20`), 'searches', isArray);
}

export async function listSynonyms(): Promise<SynonymGroup[]> {
  return need<SynonymGroup[]>(await request('GET', '/api/v1/search/synonyms'), 'synonyms', isArray);
}

export function createSynonyms(locale: ContentLocale, terms: string[]) {
  const body: NewSynonymsBody = { locale, terms };
  return request('POST', '/api/v1/search/synonyms', { body });
}

export function updateSynonyms(id: string, terms: string[]) {
  const body: SynonymsPatchBody = { terms };
  return request('PATCH', `/api/v1/search/synonyms/${id}`, { body });
}

export function deleteSynonyms(id: string) {
  return request('DELETE', `/api/v1/search/synonyms/${id}`);
}
