import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import { tonelessPinyin } from '../../core/learn/pinyin.js';
import type { EventBus } from '../../core/events/index.js';
import { notFound, validationFailed } from '../../core/errors.js';
import { locales, type Locale } from '../../core/i18n/index.js';
import type { JobQueue } from '../../core/jobs/index.js';
import { SYSTEM_ACTOR, type AccountsService, type Actor } from '../accounts/index.js';
import type { MailOutbox } from '../../core/mail/outbox.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import { articleLinks, markdownToText, renderMarkdown } from './kb.markdown.js';
import type { ArticleListQuery, Db, KbRepo } from './kb.repo.js';
import type { ArticleRow, ArticleStatus, CategoryRow, LocalisedText, RevisionRow, SubscriptionTarget } from './kb.schema.js';
import type { KbSearch } from './kb.search.js';
import type { SearchResults } from '../search/index.js';
import { kbErrors } from './kb.errors.js';

export const DIGEST_JOB = 'kb.digest';

/** A ticket message as the KB sees it: enough to start an article from an agent's reply. */
export interface MessageSource {
  message(workspaceId: string, id: string): Promise<{ body: string; subject: string } | undefined>;
}

export interface KbServiceDeps {
  repo: KbRepo;
  search: KbSearch;
  /** `kb_article.published`, committed with the publish: search retrains its learned ranker on it. */
  bus: EventBus;
  jobs: JobQueue;
  outbox: MailOutbox;
  accounts: AccountsService;
  messages: MessageSource;
  attachments: AttachmentStore;
  clock: Clock;
  publicUrl: string;
  /** Changes collected this long before a subscriber's digest goes out (0: at once). */
  digestDelaySeconds: number;
}

export interface NewCategory {
  slug: string;
  names: LocalisedText;
  descriptions?: LocalisedText;
  parentId?: string | null;
  position?: number;
}

export interface NewArticle {
  title: string;
  markdown: string;
  locale: Locale;
  description?: string;
  slug?: string;
  categoryId?: string | null;
  tags?: string[];
  faq?: boolean;
  product?: string | null;
  questions?: string[];
  translationOf?: string;
  relatedIds?: string[];
}

export interface ArticleChanges {
  title?: string;
  markdown?: string;
  description?: string;
  slug?: string;
  categoryId?: string | null;
  tags?: string[];
  faq?: boolean;
  product?: string | null;
  questions?: string[];
  relatedIds?: string[];
}

export interface ArticleDetail {
  article: ArticleRow;
  draft: RevisionRow & { html: string };
  published: (RevisionRow & { html: string }) | null;
  translations: { id: string; slug: string; locale: Locale; title: string; status: ArticleStatus }[];
  backlinks: { id: string; slug: string; title: string }[];
  related: { id: string; slug: string; title: string; manual: boolean }[];
  revisions: { id: string; number: number; title: string; author_id: string | null; created_at: Date; published: boolean }[];
}

/** A portal search: the hits in `locale`, which is the reader's unless none were found in it. */
export interface PortalSearchResults extends SearchResults {
  locale: Locale;
  /** True when nothing matched in the reader's language and these hits are in another. */
  otherLanguage: boolean;
}

/** What the portal shows of one published article. */
export interface PublishedArticle {
  article: ArticleRow;
  revision: RevisionRow;
  html: string;
  category: CategoryRow | null;
  /** The category and its parents, root first: the breadcrumbs. */
  trail: CategoryRow[];
  translations: { slug: string; locale: Locale; title: string }[];
  backlinks: { id: string; slug: string; title: string }[];
  related: { id: string; slug: string; title: string }[];
}

const RELATED_LIMIT = 5;
const ARTICLE_PATH = /^\/help\/articles\/([a-z0-9-]+)$/;
const SLUG_SUFFIX_BYTES = 4;

/**
 * The title's words become the slug, Chinese characters by their toneless pinyin (打印机卡纸 →
 * da-yin-ji-ka-zhi); a title with too little of either gets a short random one.
 */
export function slugFrom(title: string): string {
  const spelt = tonelessPinyin(title, { nonZh: 'consecutive' }).join(' ');
  const words = spelt.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80).replace(/-+$/, '');
  return words.length >= 3 ? words : randomSlug();
}

const randomSlug = () => `a-${randomBytes(SLUG_SUFFIX_BYTES).toString('hex')}`;
const suffixed = (slug: string) => `${slug.slice(0, 110)}-${randomBytes(SLUG_SUFFIX_BYTES).toString('hex')}`;
/** A generated slug already taken gets a random suffix: tried this many times before giving up. */
const GENERATED_SLUG_ATTEMPTS = 4;

const isUniqueViolation = (error: unknown, constraint: string) =>
  typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505'
  && String((error as { constraint?: string }).constraint ?? '').includes(constraint);

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const articleUrl = (slug: string) => `/help/articles/${slug}`;
export const attachmentUrl = (attachment: { id: string; filename: string }) => `/help/attachments/${attachment.id}/${encodeURIComponent(attachment.filename)}`;

/**
 * The knowledge base: categories, articles and their revisions, publishing (which feeds search,
 * back links and subscribers' digests), votes, reports and subscriptions.
 */
export class KbService {
  private readonly repo: KbRepo;
  constructor(private readonly deps: KbServiceDeps) {
    this.repo = deps.repo;
  }

  // ---- categories -------------------------------------------------------------------------

  categories(workspaceId: string) {
    return this.repo.categories(this.repo.in(workspaceId));
  }

  async category(workspaceId: string, id: string) {
    const category = await this.repo.category(this.repo.in(workspaceId), id);
    if (!category) throw notFound('kb_category');
    return category;
  }

  async createCategory(workspaceId: string, input: NewCategory) {
    const db = this.repo.in(workspaceId);
    if (input.parentId) await this.category(workspaceId, input.parentId);
    return this.uniqueSlug(kbErrors.kbCategorySlugTaken, () => this.repo.insertCategory(db, {
      slug: input.slug, names: JSON.stringify(input.names), descriptions: JSON.stringify(input.descriptions ?? {}),
      parent_id: input.parentId ?? null, position: input.position ?? 0,
    }));
  }

  async updateCategory(workspaceId: string, id: string, patch: Partial<NewCategory>) {
    const db = this.repo.in(workspaceId);
    await this.category(workspaceId, id);
    if (patch.parentId) await this.assertNoCycle(workspaceId, id, patch.parentId);
    const updated = await this.uniqueSlug(kbErrors.kbCategorySlugTaken, () => this.repo.updateCategory(db, id, {
      slug: patch.slug, names: patch.names && JSON.stringify(patch.names), descriptions: patch.descriptions && JSON.stringify(patch.descriptions),
      parent_id: patch.parentId, position: patch.position, updated_at: this.deps.clock.now(),
    }));
    if (!updated) throw notFound('kb_category');
    return updated;
  }

  async deleteCategory(workspaceId: string, id: string): Promise<void> {
    const db = this.repo.in(workspaceId);
    await this.category(workspaceId, id);
    if (await this.repo.categoryInUse(db, id)) {
      throw kbErrors.kbCategoryNotEmpty('Move or delete the category\'s articles and subcategories first');
    }
    await this.repo.deleteCategory(db, id);
    await this.repo.deleteSubscriptionsOfTarget(db, 'category', id);
  }

  /** A category may not become its own ancestor. */
  private async assertNoCycle(workspaceId: string, id: string, parentId: string): Promise<void> {
    const all = new Map((await this.categories(workspaceId)).map((c) => [c.id, c]));
    if (!all.has(parentId)) throw notFound('kb_category', { parentId });
    for (let at: string | null = parentId; at; at = all.get(at)?.parent_id ?? null) {
      if (at === id) throw kbErrors.kbCategoryCycle('A category cannot be moved under itself or one of its subcategories');
    }
  }

  /** The category and its ancestors, root first. */
  private trail(categories: CategoryRow[], id: string | null): CategoryRow[] {
    const byId = new Map(categories.map((c) => [c.id, c]));
    const trail: CategoryRow[] = [];
    for (let at = id ? byId.get(id) : undefined; at && trail.length < 20; at = at.parent_id ? byId.get(at.parent_id) : undefined) trail.unshift(at);
    return trail;
  }

  // ---- articles ---------------------------------------------------------------------------

  async listArticles(workspaceId: string, query: Omit<ArticleListQuery, 'after'> & { cursor?: string }) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await this.repo.listArticles(this.repo.in(workspaceId), { ...query, limit: query.limit + 1, after: after && { updatedAt: after.at, id: after.id } });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { articles: page, nextCursor: rows.length > query.limit && last ? encodeCursor(last.updated_at, last.id) : null };
  }

  async createArticle(workspaceId: string, input: NewArticle, authorId: string | null): Promise<ArticleRow> {
    const db = this.repo.in(workspaceId);
    let groupId: string = randomUUID();
    if (input.translationOf) {
      const original = await this.requireArticle(db, input.translationOf);
      const siblings = await this.repo.translations(db, original.translation_group_id);
      if (siblings.some((s) => s.locale === input.locale)) {
        throw kbErrors.kbTranslationExists(`This article already has a ${input.locale} version`, { locale: input.locale });
      }
      groupId = original.translation_group_id;
    }
    if (input.categoryId) await this.category(workspaceId, input.categoryId);
    if (input.relatedIds?.length) await this.assertArticles(db, input.relatedIds);
    const now = this.deps.clock.now();
    const generated = slugFrom(input.title);
    const create = (slug: string) => this.repo.transaction(workspaceId, async (trx) => {
      const article = await this.repo.insertArticle(trx, {
        translation_group_id: groupId, locale: input.locale, slug, category_id: input.categoryId ?? null,
        title: input.title, faq: input.faq ?? false, tags: normaliseTags(input.tags), questions: normaliseQuestions(input.questions),
        product: input.product ?? null, created_at: now, updated_at: now,
      });
      const revision = await this.repo.insertRevision(trx, {
        article_id: article.id, number: 1, title: input.title, description: input.description ?? '', markdown: input.markdown, author_id: authorId,
      });
      if (input.relatedIds?.length) await this.repo.replaceRelated(trx, article.id, input.relatedIds.filter((id) => id !== article.id));
      return this.repo.updateArticle(trx, article.id, { draft_revision_id: revision.id });
    });
    const { slug } = input;
    if (slug) return this.uniqueSlug(kbErrors.kbSlugTaken, () => create(slug));
    // A slug the editor chose is theirs to change; one made from the title never refuses the
    // article: taken, it gets a random suffix (a refusal only after several unlucky draws).
    for (let attempt = 1; attempt < GENERATED_SLUG_ATTEMPTS; attempt++) {
      try {
        return await create(attempt === 1 ? generated : suffixed(generated));
      } catch (error) {
        if (!isUniqueViolation(error, 'slug')) throw error;
      }
    }
    return this.uniqueSlug(kbErrors.kbSlugTaken, () => create(suffixed(generated)));
  }

  async article(workspaceId: string, id: string): Promise<ArticleDetail> {
    const db = this.repo.in(workspaceId);
    const article = await this.requireArticle(db, id);
    const [draft, published, translations, backlinks, manual, revisions] = await Promise.all([
      this.repo.revision(db, id, article.draft_revision_id!),
      article.published_revision_id ? this.repo.revision(db, id, article.published_revision_id) : undefined,
      this.repo.translations(db, article.translation_group_id),
      article.status === 'published' ? this.repo.backlinks(db, article.slug) : [],
      this.repo.manualRelated(db, id),
      this.repo.revisions(db, id),
    ]);
    const suggested = await this.suggestedRelated(workspaceId, article, draft!);
    const manualIds = new Set(manual.map((r) => r.id));
    return {
      article,
      draft: { ...draft!, html: await this.render(db, draft!.markdown) },
      published: published ? { ...published, html: await this.render(db, published.markdown) } : null,
      translations: translations.filter((t) => t.id !== id).map(({ id: tid, slug, locale, title, status }) => ({ id: tid, slug, locale, title, status })),
      backlinks,
      related: [
        ...manual.map((r) => ({ id: r.id, slug: r.slug, title: r.title, manual: true })),
        ...suggested.filter((s) => !manualIds.has(s.id)).map((s) => ({ id: s.id, slug: s.slug, title: s.title, manual: false })),
      ],
      revisions: revisions.map((r) => ({ ...r, published: r.id === article.published_revision_id })),
    };
  }

  /** Text changes make a new draft revision; settings change the article itself. The live revision stays live. */
  async updateArticle(workspaceId: string, id: string, changes: ArticleChanges, authorId: string | null): Promise<ArticleRow> {
    const db = this.repo.in(workspaceId);
    await this.requireArticle(db, id);
    if (changes.categoryId) await this.category(workspaceId, changes.categoryId);
    if (changes.relatedIds?.length) await this.assertArticles(db, changes.relatedIds);
    const now = this.deps.clock.now();
    const textChanged = changes.title !== undefined || changes.markdown !== undefined || changes.description !== undefined;
    const updated = await this.uniqueSlug(kbErrors.kbSlugTaken, () => this.repo.transaction(workspaceId, async (trx) => {
      const article = (await this.repo.lockedArticle(trx, id))!;
      let draftId = article.draft_revision_id!;
      let title = article.title;
      if (textChanged) {
        const base = (await this.repo.revision(trx, id, draftId))!;
        const revision = await this.repo.insertRevision(trx, {
          article_id: id, number: await this.repo.nextRevisionNumber(trx, id), title: changes.title ?? base.title,
          description: changes.description ?? base.description, markdown: changes.markdown ?? base.markdown, author_id: authorId,
        });
        draftId = revision.id;
        title = revision.title;
      }
      if (changes.relatedIds) await this.repo.replaceRelated(trx, id, changes.relatedIds.filter((rid) => rid !== id));
      return this.repo.updateArticle(trx, id, {
        draft_revision_id: draftId, title, slug: changes.slug, category_id: changes.categoryId, tags: changes.tags && normaliseTags(changes.tags),
        questions: changes.questions && normaliseQuestions(changes.questions), faq: changes.faq, product: changes.product, updated_at: now,
      });
    }));
    // The live text did not change, but where and how it is found (slug, category, tags, questions) may have.
    if (updated.status === 'published' && (changes.slug || changes.categoryId !== undefined || changes.tags || changes.questions || changes.product !== undefined)) {
      await this.indexPublished(workspaceId, updated);
    }
    return updated;
  }

  async publish(workspaceId: string, id: string, revisionId: string | undefined, actor: Actor = SYSTEM_ACTOR): Promise<ArticleRow> {
    const now = this.deps.clock.now();
    const { article, notify } = await this.deps.bus.transaction(this.repo.in(workspaceId), async (trx, events) => {
      const current = await this.repo.lockedArticle(trx, id);
      if (!current) throw notFound('kb_article');
      const revision = await this.repo.revision(trx, id, revisionId ?? current.draft_revision_id!);
      if (!revision) throw notFound('kb_revision');
      const changed = revision.id !== current.published_revision_id;
      const article = await this.repo.updateArticle(trx, id, {
        status: 'published', published_revision_id: revision.id, published_at: changed ? now : current.published_at ?? now,
        unhelpful_since_edit: changed ? 0 : current.unhelpful_since_edit, updated_at: now,
      });
      await this.repo.replaceLinks(trx, id, articleLinks(revision.markdown));
      const notify = changed ? await this.queueDigestItems(trx, article) : [];
      events.publish('kb_article.published', workspaceId, { articleId: id, locale: article.locale });
      return { article, notify };
    });
    await this.indexPublished(workspaceId, article);
    for (const customerId of notify) await this.scheduleDigest(workspaceId, customerId);
    await this.deps.accounts.audit(workspaceId, actor, 'kb_article.published', 'kb_article', id, { revisionId: article.published_revision_id, slug: article.slug });
    return article;
  }

  async unpublish(workspaceId: string, id: string): Promise<ArticleRow> {
    const article = await this.repo.transaction(workspaceId, async (trx) => {
      if (!(await this.repo.lockedArticle(trx, id))) throw notFound('kb_article');
      await this.repo.replaceLinks(trx, id, []);
      return this.repo.updateArticle(trx, id, { status: 'draft', published_revision_id: null, published_at: null, updated_at: this.deps.clock.now() });
    });
    await this.deps.search.remove(workspaceId, 'article', id);
    return article;
  }

  async deleteArticle(workspaceId: string, id: string): Promise<void> {
    const db = this.repo.in(workspaceId);
    await this.requireArticle(db, id);
    const files = await this.repo.attachments(db, id);
    await this.repo.transaction(workspaceId, async (trx) => {
      await this.repo.deleteSubscriptionsOfTarget(trx, 'article', id);
      await this.repo.deleteAttachmentsOf(trx, id);
      await this.repo.deleteArticle(trx, id);
    });
    await this.deps.search.remove(workspaceId, 'article', id);
    // The files go once their rows are gone for good.
    for (const file of files) await this.deps.attachments.remove(file.storage_key);
  }

  async markReviewed(workspaceId: string, id: string): Promise<ArticleRow> {
    const db = this.repo.in(workspaceId);
    await this.requireArticle(db, id);
    return this.repo.updateArticle(db, id, { last_reviewed_at: this.deps.clock.now(), unhelpful_since_edit: 0 });
  }

  async revisions(workspaceId: string, id: string) {
    const db = this.repo.in(workspaceId);
    const article = await this.requireArticle(db, id);
    return (await this.repo.revisions(db, id)).map((r) => ({ ...r, published: r.id === article.published_revision_id }));
  }

  async revision(workspaceId: string, id: string, revisionId: string) {
    const db = this.repo.in(workspaceId);
    const article = await this.requireArticle(db, id);
    const revision = await this.repo.revision(db, id, revisionId);
    if (!revision) throw notFound('kb_revision');
    return { ...revision, html: await this.render(db, revision.markdown), published: revision.id === article.published_revision_id };
  }

  /** What the editor's preview shows: what the portal would render, with the draft's images from the editors' address. */
  async preview(workspaceId: string, markdown: string): Promise<string> {
    return renderMarkdown(markdown, await this.repo.publishedSlugs(this.repo.in(workspaceId), articleLinks(markdown)), { draft: true });
  }

  /** An agent's reply becomes the first draft of an article, titled after the ticket. */
  async fromMessage(workspaceId: string, messageId: string, input: { title?: string; locale: Locale; categoryId?: string }, authorId: string | null) {
    const message = await this.deps.messages.message(workspaceId, messageId);
    if (!message) throw notFound('message');
    return this.createArticle(workspaceId, { title: input.title ?? message.subject, markdown: message.body, locale: input.locale, categoryId: input.categoryId }, authorId);
  }

  // ---- attachments ------------------------------------------------------------------------

  async addAttachment(workspaceId: string, articleId: string, file: { filename: string; stream: Readable }) {
    const db = this.repo.in(workspaceId);
    await this.requireArticle(db, articleId);
    return this.storeAttachment(db, articleId, file);
  }

  /**
   * An image for an article's text (the editor's image button, a paste, a drop): PNG, JPEG, GIF or
   * WebP only, at most `KB_IMAGE_MAX_BYTES`, and its bytes must be the image its name says (never
   * SVG or HTML under an image's name); a JPEG loses its EXIF block (a phone photo's place and time).
   * Like any file of an article, the portal serves it once the article is published; editors see
   * it in the draft's preview through the agents-only address.
   */
  async addImage(workspaceId: string, articleId: string, file: { filename: string; stream: Readable }) {
    const db = this.repo.in(workspaceId);
    try {
      await this.requireArticle(db, articleId);
    } catch (error) {
      file.stream.resume();
      throw error;
    }
    const bytes = await readImage(file);
    return this.storeAttachment(db, articleId, { filename: file.filename, stream: Readable.from([bytes]) });
  }

  /** A file of any article, for editors (the preview of a draft shows its images from here). */
  async attachment(workspaceId: string, id: string) {
    const attachment = await this.repo.attachment(this.repo.in(workspaceId), id);
    if (!attachment?.article_id) throw notFound('kb_attachment');
    return attachment;
  }

  private async storeAttachment(db: Db, articleId: string, file: { filename: string; stream: Readable }) {
    const stored = await this.deps.attachments.save(file);
    return this.repo.insertAttachment(db, {
      article_id: articleId, storage_key: stored.storageKey, filename: stored.filename, content_type: stored.contentType,
      size_bytes: stored.sizeBytes, sha256: stored.sha256,
    });
  }

  async attachments(workspaceId: string, articleId: string) {
    const db = this.repo.in(workspaceId);
    await this.requireArticle(db, articleId);
    return this.repo.attachments(db, articleId);
  }

  /** A file of a published article: anyone may see it, as they may see the article. */
  async publicAttachment(workspaceId: string, id: string) {
    const db = this.repo.in(workspaceId);
    const attachment = await this.repo.attachment(db, id);
    const article = attachment?.article_id ? await this.repo.article(db, attachment.article_id) : undefined;
    if (!attachment || article?.status !== 'published') throw notFound('kb_attachment');
    return attachment;
  }

  // ---- reports ----------------------------------------------------------------------------

  /**
   * What customers wrote when they voted "not helpful", newest first, for the whole help centre or
   * one article (which must be this workspace's), one keyset page at a time.
   */
  async unhelpfulComments(workspaceId: string, query: { articleId?: string; limit: number; cursor?: string }) {
    const db = this.repo.in(workspaceId);
    if (query.articleId) await this.requireArticle(db, query.articleId);
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await this.repo.unhelpfulComments(db, { articleId: query.articleId, limit: query.limit + 1, after });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { comments: page, nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  lowHelpfulness(workspaceId: string, options: { minVotes: number; limit: number }) {
    return this.repo.lowHelpfulness(this.repo.in(workspaceId), options.minVotes, options.limit);
  }

  async stale(workspaceId: string, options: { days: number; limit: number }) {
    const before = new Date(this.deps.clock.now().getTime() - options.days * 86_400_000);
    const rows = await this.repo.stale(this.repo.in(workspaceId), before, options.limit);
    return rows.map((row) => ({ ...row, reason: row.unhelpful_since_edit > 0 ? 'rated_down_since_edit' as const : 'not_reviewed' as const }));
  }

  // ---- the portal -------------------------------------------------------------------------

  async publishedArticle(workspaceId: string, slug: string): Promise<PublishedArticle> {
    const db = this.repo.in(workspaceId);
    const article = await this.repo.articleBySlug(db, slug);
    if (!article || article.status !== 'published') throw notFound('kb_article');
    const [revision, categories, translations, backlinks, manual] = await Promise.all([
      this.repo.revision(db, article.id, article.published_revision_id!),
      this.repo.categories(db),
      this.repo.translations(db, article.translation_group_id),
      this.repo.backlinks(db, article.slug),
      this.repo.manualRelated(db, article.id),
    ]);
    const suggested = await this.suggestedRelated(workspaceId, article, revision!);
    const manualLive = manual.filter((r) => r.status === 'published');
    const seen = new Set(manualLive.map((r) => r.id));
    const trail = this.trail(categories, article.category_id);
    return {
      article, revision: revision!, html: await this.render(db, revision!.markdown),
      category: trail.at(-1) ?? null, trail,
      translations: translations.filter((t) => t.id !== article.id && t.status === 'published').map(({ slug: s, locale, title }) => ({ slug: s, locale, title })),
      backlinks,
      related: [...manualLive, ...suggested.filter((s) => !seen.has(s.id))].slice(0, RELATED_LIMIT).map(({ id, slug: s, title }) => ({ id, slug: s, title })),
    };
  }

  /**
   * The portal's search: in the reader's language, and when that finds nothing, in the other
   * language (a "paper jam" search on the Chinese portal finds the English article). Only the
   * first search is logged: the listening reports still show it as a search that found nothing in
   * the reader's language, and do not count it twice.
   */
  async portalSearch(workspaceId: string, query: { q: string; locale: Locale; categoryId?: string; limit: number; offset: number }): Promise<PortalSearchResults> {
    const own = await this.deps.search.search(workspaceId, { ...query, source: 'portal' });
    if (own.total > 0 || !query.q.trim()) return { ...own, locale: query.locale, otherLanguage: false };
    for (const other of locales.filter((l) => l !== query.locale)) {
      const found = await this.deps.search.search(workspaceId, { ...query, locale: other, source: 'portal', log: false });
      if (found.total > 0) return { ...found, locale: other, otherLanguage: true };
    }
    return { ...own, locale: query.locale, otherLanguage: false };
  }

  /**
   * Links to published articles by id, in the reader's language when a translation is published
   * (troubleshooting solutions point at articles this way); ids of unpublished or deleted ones are left out.
   */
  async links(workspaceId: string, ids: readonly string[], locale: Locale): Promise<Map<string, { title: string; url: string }>> {
    const rows = await this.repo.publishedInGroupsOf(this.repo.in(workspaceId), ids);
    const links = new Map<string, { title: string; url: string }>();
    for (const id of ids) {
      const versions = rows.filter((r) => r.requested_id === id);
      const best = versions.find((r) => r.locale === locale) ?? versions.find((r) => r.id === id) ?? versions[0];
      if (best) links.set(id, { title: best.title, url: articleUrl(best.slug) });
    }
    return links;
  }

  async recordView(workspaceId: string, articleId: string): Promise<void> {
    await this.repo.incrementViews(this.repo.in(workspaceId), articleId);
    await this.deps.search.recordUsefulness(workspaceId, 'article', articleId, 'view');
  }

  /** The most useful published articles of one language (the home page's top questions, the FAQ). */
  popular(workspaceId: string, locale: Locale, options: { limit: number; faqOnly?: boolean; categoryId?: string }) {
    return this.repo.popular(this.repo.in(workspaceId), locale, options);
  }

  /** The FAQ: every FAQ-flagged published article of one language, with its answer rendered. */
  async faq(workspaceId: string, locale: Locale, sort: 'popular' | 'alpha') {
    const db = this.repo.in(workspaceId);
    const rows = await this.repo.popular(db, locale, { limit: 500, faqOnly: true });
    if (sort === 'alpha') rows.sort((a, b) => a.title.localeCompare(b.title, locale));
    const live = await this.repo.publishedSlugs(db, [...new Set(rows.flatMap((r) => articleLinks(r.markdown)))]);
    return rows.map((row) => ({ ...row, html: renderMarkdown(row.markdown, live) }));
  }

  async categoryPage(workspaceId: string, slug: string, locale: Locale) {
    const db = this.repo.in(workspaceId);
    const category = await this.repo.categoryBySlug(db, slug);
    if (!category) throw notFound('kb_category');
    const categories = await this.repo.categories(db);
    return {
      category, trail: this.trail(categories, category.id),
      children: categories.filter((c) => c.parent_id === category.id),
      articles: await this.repo.popular(db, locale, { limit: 200, categoryId: category.id }),
    };
  }

  /** One vote per visitor and article; false when this visitor had voted already. */
  async vote(workspaceId: string, articleId: string, visitor: string, helpful: boolean, comment: string | null): Promise<boolean> {
    const db = this.repo.in(workspaceId);
    const article = await this.requireArticle(db, articleId);
    if (article.status !== 'published') throw notFound('kb_article');
    // The app's clock, in milliseconds like the keyset cursor of the comments' pages (now() counts microseconds).
    const counted = await this.repo.insertVote(db, { article_id: articleId, visitor, helpful, comment, created_at: this.deps.clock.now() });
    if (counted) await this.deps.search.recordUsefulness(workspaceId, 'article', articleId, helpful ? 'helpful' : 'unhelpful');
    return counted;
  }

  async votedBy(workspaceId: string, articleId: string, visitor: string): Promise<boolean | undefined> {
    return (await this.repo.hasVoted(this.repo.in(workspaceId), articleId, visitor))?.helpful;
  }

  sitemap(workspaceId: string) {
    const db = this.repo.in(workspaceId);
    return Promise.all([this.repo.publishedIndex(db), this.repo.categories(db)]);
  }

  // ---- subscriptions and digests ----------------------------------------------------------

  async subscribe(workspaceId: string, customerId: string, target: { kind: SubscriptionTarget; id: string }, consentIp: string | null) {
    const db = this.repo.in(workspaceId);
    if (target.kind === 'category') await this.category(workspaceId, target.id);
    else await this.requireArticle(db, target.id);
    return this.repo.insertSubscription(db, { customer_id: customerId, target_kind: target.kind, target_id: target.id, consent_at: this.deps.clock.now(), consent_ip: consentIp });
  }

  async unsubscribe(workspaceId: string, customerId: string, target: { kind: SubscriptionTarget; id: string }): Promise<void> {
    await this.repo.deleteSubscription(this.repo.in(workspaceId), customerId, target.kind, target.id);
  }

  subscription(workspaceId: string, customerId: string, target: { kind: SubscriptionTarget; id: string }) {
    return this.repo.subscription(this.repo.in(workspaceId), customerId, target.kind, target.id);
  }

  digests(workspaceId: string, options: { customerId?: string; limit: number }) {
    return this.repo.digests(this.repo.in(workspaceId), options);
  }

  /** The digest behind an unsubscribe link, or undefined for a wrong or used-up token. */
  digestForToken(workspaceId: string, token: string) {
    return this.repo.digestByToken(this.repo.in(workspaceId), hashToken(token));
  }

  /** Stops exactly the subscriptions that produced the digest the link came in. */
  async unsubscribeByToken(workspaceId: string, token: string): Promise<boolean> {
    const db = this.repo.in(workspaceId);
    const digest = await this.repo.digestByToken(db, hashToken(token));
    if (!digest) return false;
    await this.repo.deleteSubscriptionsById(db, digest.customer_id, digest.subscription_ids);
    return true;
  }

  /** The digest job: everything changed for this subscriber since the last digest, in one mail. */
  async sendDigest(workspaceId: string, customerId: string): Promise<void> {
    const workspace = await this.deps.accounts.workspace(workspaceId);
    const customer = await this.deps.accounts.findCustomer(workspaceId, customerId);
    await this.repo.transaction(workspaceId, async (trx) => {
      const items = await this.repo.takeDigestItems(trx, customerId);
      if (!items.length || !customer) return;
      const articles = await this.repo.publishedByIds(trx, [...new Set(items.map((i) => i.article_id))]);
      if (!articles.length) return;
      const live = new Set(articles.map((a) => a.id));
      const token = randomBytes(24).toString('base64url');
      const digest = await this.repo.insertDigest(trx, {
        customer_id: customerId, article_ids: articles.map((a) => a.id),
        subscription_ids: [...new Set(items.filter((i) => live.has(i.article_id)).map((i) => i.subscription_id))], token_hash: hashToken(token),
      });
      const locale = customer.locale ?? workspace.default_locale;
      await this.deps.outbox.queue(workspaceId, {
        to: customer.email, template: 'kbDigest', locale, autoSubmitted: 'auto-generated', idempotencyKey: `kb-digest:${digest.id}`,
        vars: {
          name: customer.name,
          workspace: workspace.name[locale] ?? workspace.slug,
          articles: articles.map((a) => `- ${a.title}\n  ${this.deps.publicUrl}${articleUrl(a.slug)}`).join('\n'),
          unsubscribeUrl: `${this.deps.publicUrl}/help/unsubscribe/${token}`,
        },
      }, trx);
    });
  }

  private async queueDigestItems(trx: Db, article: ArticleRow): Promise<string[]> {
    const subscriptions = await this.repo.subscriptionsFor(trx, article.id, article.category_id);
    await this.repo.queueDigestItems(trx, subscriptions.map((s) => ({ customer_id: s.customer_id, article_id: article.id, subscription_id: s.id })));
    return [...new Set(subscriptions.map((s) => s.customer_id))];
  }

  /** Debounced: one job per subscriber per window; it takes whatever changed until it runs. */
  private async scheduleDigest(workspaceId: string, customerId: string): Promise<void> {
    const delayMs = this.deps.digestDelaySeconds * 1000;
    const now = this.deps.clock.now().getTime();
    await this.deps.jobs.send(DIGEST_JOB, { workspaceId, customerId }, delayMs > 0
      ? { startAfter: new Date(now + delayMs), idempotencyKey: `${workspaceId}:${customerId}:${Math.floor(now / delayMs)}` }
      : {});
  }

  // ---- helpers ---------------------------------------------------------------------------

  /**
   * Related articles nobody chose: the published articles search finds most similar to this
   * one's title and summary, then those sharing its tags or category.
   */
  private async suggestedRelated(workspaceId: string, article: ArticleRow, revision: RevisionRow): Promise<{ id: string; slug: string; title: string }[]> {
    const [similar, tagged] = await Promise.all([
      this.deps.search.bestAnswers(workspaceId, `${revision.title}\n${revision.description}`, article.locale, RELATED_LIMIT + 1),
      this.repo.suggestedRelated(this.repo.in(workspaceId), article, RELATED_LIMIT),
    ]);
    const found = similar.flatMap((hit) => {
      const slug = ARTICLE_PATH.exec(hit.url)?.[1];
      return hit.kind === 'article' && slug ? [{ id: hit.id, slug, title: hit.title }] : [];
    });
    const seen = new Set<string>([article.id]);
    return [...found, ...tagged].filter((r) => !seen.has(r.id) && seen.add(r.id)).slice(0, RELATED_LIMIT);
  }

  private async indexPublished(workspaceId: string, article: ArticleRow): Promise<void> {
    const revision = (await this.repo.revision(this.repo.in(workspaceId), article.id, article.published_revision_id!))!;
    await this.deps.search.index(workspaceId, {
      kind: 'article', id: article.id, locale: article.locale, title: revision.title,
      body: [revision.description, markdownToText(revision.markdown)].filter(Boolean).join('\n'),
      categoryId: article.category_id, product: article.product, tags: article.tags, url: articleUrl(article.slug),
      publishedAt: article.published_at ?? this.deps.clock.now(), questions: article.questions,
    });
  }

  private async render(db: Db, markdown: string): Promise<string> {
    return renderMarkdown(markdown, await this.repo.publishedSlugs(db, articleLinks(markdown)));
  }

  private async requireArticle(db: Db, id: string): Promise<ArticleRow> {
    const article = await this.repo.article(db, id);
    if (!article) throw notFound('kb_article');
    return article;
  }

  private async assertArticles(db: Db, ids: readonly string[]): Promise<void> {
    const found = new Set((await this.repo.articlesByIds(db, ids)).map((a) => a.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw kbErrors.kbRelatedNotFound('Some related articles do not exist', { missing });
  }

  private async uniqueSlug<T>(taken: typeof kbErrors.kbSlugTaken, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error, 'slug')) throw taken('This slug is already used; choose another', undefined, { cause: error });
      throw error;
    }
  }
}

/** Trimmed, each once (case aside), in the editor's order. */
function normaliseQuestions(questions: string[] | undefined): string[] {
  return [...new Map((questions ?? []).map((q) => q.trim()).filter(Boolean).map((q) => [q.toLowerCase(), q])).values()];
}

/** Images an article's text may show, by extension, with the bytes each must start with. */
const IMAGE_TYPES: Record<string, { name: string; is: (head: Buffer) => boolean }> = {
  png: { name: 'PNG', is: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  jpg: { name: 'JPEG', is: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  jpeg: { name: 'JPEG', is: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  gif: { name: 'GIF', is: (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')) },
  webp: { name: 'WebP', is: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
};
/** An image in a help article: large enough for a screenshot or a photo, small enough for a phone. */
export const KB_IMAGE_MAX_BYTES = 5 * 1024 * 1024;

/** The image's bytes, checked (type by name and by content, size) before anything is stored. */
async function readImage(file: { filename: string; stream: Readable }): Promise<Buffer> {
  const extension = /\.([A-Za-z0-9]+)$/.exec(file.filename)?.[1]?.toLowerCase() ?? '';
  const type = IMAGE_TYPES[extension];
  if (!type) {
    file.stream.resume();
    throw kbErrors.attachmentTypeForbidden('Only PNG, JPEG, GIF or WebP images can go into an article', { filename: file.filename });
  }
  // Read to the end even past the limit (what is too much is dropped), so the request is whole and the refusal reaches the browser.
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= KB_IMAGE_MAX_BYTES) chunks.push(chunk);
    });
    file.stream.on('error', reject);
    file.stream.on('end', () => (size > KB_IMAGE_MAX_BYTES
      ? reject(kbErrors.attachmentTooLarge(`Images may be at most ${KB_IMAGE_MAX_BYTES / 1024 / 1024} MB`, { filename: file.filename, maxBytes: KB_IMAGE_MAX_BYTES }))
      : resolve(Buffer.concat(chunks))));
  });
  if (!type.is(bytes)) throw kbErrors.kbImageInvalid(`This file is not a ${type.name} image`, { filename: file.filename });
  return type.name === 'JPEG' ? withoutExif(bytes) : bytes;
}

/**
 * A JPEG without its APP1 segments (EXIF, XMP: camera, place and time), everything else as it
 * was: the segments before the scan are walked by their lengths, the scan data copied whole.
 */
function withoutExif(jpeg: Buffer): Buffer {
  const kept: Buffer[] = [jpeg.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    if (marker === 0xda) break; // start of scan: the rest is image data
    const end = at + 2 + jpeg.readUInt16BE(at + 2);
    if (end > jpeg.length) break;
    if (marker !== 0xe1) kept.push(jpeg.subarray(at, end));
    at = end;
  }
  kept.push(jpeg.subarray(at));
  return Buffer.concat(kept);
}

function normaliseTags(tags: string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

function encodeCursor(updatedAt: Date, id: string): string {
  return Buffer.from(`${updatedAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [time, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(time ?? '');
  if (Number.isNaN(at.getTime()) || !id || !/^[0-9a-f-]{36}$/.test(id)) {
    throw validationFailed('cursor must be a nextCursor from a previous page', { cursor });
  }
  return { at, id };
}
