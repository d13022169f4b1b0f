import { sql, type Kysely, type Transaction } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../core/db/database.js';
import type { ArticleStatus, SubscriptionTarget } from './kb.schema.js';

export type Db = Kysely<DB>;

export interface ArticleListQuery {
  status?: ArticleStatus;
  categoryId?: string;
  locale?: Locale;
  q?: string;
  faq?: boolean;
  limit: number;
  /** Keyset: the (updated_at, id) of the last row of the previous page. */
  after?: { updatedAt: Date; id: string };
}

/** `%`, `_` and `\` are wildcards in LIKE: a search for them must match them literally. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Every query goes through `tenancy.forWorkspace`: nothing here can read another workspace. */
export class KbRepo {
  constructor(private readonly tenancy: Tenancy<DB>) {}

  in(workspaceId: string): Db {
    return this.tenancy.forWorkspace(workspaceId);
  }

  transaction<T>(workspaceId: string, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.in(workspaceId).transaction().execute(work);
  }

  // ---- categories -------------------------------------------------------------------------

  categories(db: Db) {
    return db.selectFrom('kb_categories').selectAll().orderBy('position').orderBy('slug').execute();
  }

  category(db: Db, id: string) {
    return db.selectFrom('kb_categories').selectAll().where('id', '=', id).executeTakeFirst();
  }

  categoryBySlug(db: Db, slug: string) {
    return db.selectFrom('kb_categories').selectAll().where('slug', '=', slug).executeTakeFirst();
  }

  insertCategory(db: Db, values: { slug: string; names: string; descriptions: string; parent_id: string | null; position: number }) {
    return db.insertInto('kb_categories').values(values).returningAll().executeTakeFirstOrThrow();
  }

  updateCategory(db: Db, id: string, patch: { slug?: string; names?: string; descriptions?: string; parent_id?: string | null; position?: number; updated_at: Date }) {
    return db.updateTable('kb_categories').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  deleteCategory(db: Db, id: string) {
    return db.deleteFrom('kb_categories').where('id', '=', id).returning('id').executeTakeFirst();
  }

  async categoryInUse(db: Db, id: string): Promise<boolean> {
    const child = await db.selectFrom('kb_categories').select('id').where('parent_id', '=', id).limit(1).executeTakeFirst();
    const article = await db.selectFrom('kb_articles').select('id').where('category_id', '=', id).limit(1).executeTakeFirst();
    return !!child || !!article;
  }

  // ---- articles ---------------------------------------------------------------------------

  listArticles(db: Db, query: ArticleListQuery) {
    let q = db.selectFrom('kb_articles').selectAll();
    if (query.status) q = q.where('status', '=', query.status);
    if (query.categoryId) q = q.where('category_id', '=', query.categoryId);
    if (query.locale) q = q.where('locale', '=', query.locale);
    if (query.faq !== undefined) q = q.where('faq', '=', query.faq);
    if (query.q) q = q.where(sql<boolean>`title ilike ${`%${likeEscape(query.q)}%`}`);
    if (query.after) {
      const { updatedAt, id } = query.after;
      q = q.where((eb) => eb.or([eb('updated_at', '<', updatedAt), eb.and([eb('updated_at', '=', updatedAt), eb('id', '<', id)])]));
    }
    return q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  }

  article(db: Db, id: string) {
    return db.selectFrom('kb_articles').selectAll().where('id', '=', id).executeTakeFirst();
  }

  lockedArticle(db: Db, id: string) {
    return db.selectFrom('kb_articles').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  articleBySlug(db: Db, slug: string) {
    return db.selectFrom('kb_articles').selectAll().where('slug', '=', slug).executeTakeFirst();
  }

  articlesByIds(db: Db, ids: readonly string[]) {
    if (!ids.length) return Promise.resolve([]);
    return db.selectFrom('kb_articles').selectAll().where('id', 'in', ids).execute();
  }

  slugTaken(db: Db, slug: string) {
    return db.selectFrom('kb_articles').select('id').where('slug', '=', slug).executeTakeFirst();
  }

  insertArticle(db: Db, values: {
    translation_group_id: string; locale: Locale; slug: string; category_id: string | null; title: string;
    faq: boolean; tags: string[]; questions: string[]; product: string | null; created_at: Date; updated_at: Date;
  }) {
    return db.insertInto('kb_articles').values(values).returningAll().executeTakeFirstOrThrow();
  }

  updateArticle(db: Db, id: string, patch: Partial<{
    slug: string; category_id: string | null; title: string; status: ArticleStatus; draft_revision_id: string;
    published_revision_id: string | null; faq: boolean; tags: string[]; questions: string[]; product: string | null;
    published_at: Date | null; last_reviewed_at: Date; unhelpful_since_edit: number; updated_at: Date;
  }>) {
    return db.updateTable('kb_articles').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  deleteArticle(db: Db, id: string) {
    return db.deleteFrom('kb_articles').where('id', '=', id).returning('id').executeTakeFirst();
  }

  translations(db: Db, groupId: string) {
    return db.selectFrom('kb_articles').select(['id', 'slug', 'locale', 'title', 'status', 'published_revision_id'])
      .where('translation_group_id', '=', groupId).orderBy('locale').execute();
  }

  /** Which of these slugs belong to published articles. */
  async publishedSlugs(db: Db, slugs: readonly string[]): Promise<Set<string>> {
    if (!slugs.length) return new Set();
    const rows = await db.selectFrom('kb_articles').select('slug').where('slug', 'in', slugs).where('status', '=', 'published').execute();
    return new Set(rows.map((r) => r.slug));
  }

  incrementViews(db: Db, id: string) {
    return db.updateTable('kb_articles').set({ views: sql`views + 1` } as never).where('id', '=', id).execute();
  }

  /** Published articles of one language, most useful first: views plus helpful votes, minus unhelpful ones. */
  popular(db: Db, locale: Locale, options: { limit: number; faqOnly?: boolean; categoryId?: string }) {
    let q = db.selectFrom('kb_articles as a').innerJoin('kb_revisions as r', 'r.id', 'a.published_revision_id')
      .select(['a.id', 'a.slug', 'a.category_id', 'a.faq', 'a.views', 'a.helpful', 'a.unhelpful', 'r.title', 'r.description', 'r.markdown', 'a.published_at', 'a.updated_at'])
      .where('a.status', '=', 'published').where('a.locale', '=', locale);
    if (options.faqOnly) q = q.where('a.faq', '=', true);
    if (options.categoryId) q = q.where('a.category_id', '=', options.categoryId);
    return q.orderBy(sql`a.views + 5 * a.helpful - 5 * a.unhelpful`, 'desc').orderBy('r.title').limit(options.limit).execute();
  }

  /** Every published article, for the sitemap: id, slug, language, translation group, last change. */
  publishedIndex(db: Db) {
    return db.selectFrom('kb_articles').select(['id', 'slug', 'locale', 'translation_group_id', 'updated_at'])
      .where('status', '=', 'published').orderBy('slug').execute();
  }

  /** Which of these articles are published, with their live titles. */
  publishedByIds(db: Db, ids: readonly string[]) {
    if (!ids.length) return Promise.resolve([]);
    return db.selectFrom('kb_articles as a').innerJoin('kb_revisions as r', 'r.id', 'a.published_revision_id')
      .select(['a.id', 'a.slug', 'r.title']).where('a.id', 'in', ids).where('a.status', '=', 'published').orderBy('r.title').execute();
  }

  /** Published versions of these articles' translation groups, with their live titles. */
  publishedInGroupsOf(db: Db, ids: readonly string[]) {
    if (!ids.length) return Promise.resolve([]);
    return db.selectFrom('kb_articles as a').innerJoin('kb_articles as o', 'o.translation_group_id', 'a.translation_group_id')
      .innerJoin('kb_revisions as r', 'r.id', 'a.published_revision_id')
      .select(['o.id as requested_id', 'a.id', 'a.slug', 'a.locale', 'r.title'])
      .where('o.id', 'in', ids).where('a.status', '=', 'published').execute();
  }

  // ---- revisions --------------------------------------------------------------------------

  insertRevision(db: Db, values: { article_id: string; number: number; title: string; description: string; markdown: string; author_id: string | null }) {
    return db.insertInto('kb_revisions').values(values).returningAll().executeTakeFirstOrThrow();
  }

  async nextRevisionNumber(db: Db, articleId: string): Promise<number> {
    const row = await db.selectFrom('kb_revisions').select((eb) => eb.fn.max('number').as('n')).where('article_id', '=', articleId).executeTakeFirst();
    return Number(row?.n ?? 0) + 1;
  }

  revision(db: Db, articleId: string, id: string) {
    return db.selectFrom('kb_revisions').selectAll().where('article_id', '=', articleId).where('id', '=', id).executeTakeFirst();
  }

  revisions(db: Db, articleId: string) {
    return db.selectFrom('kb_revisions').select(['id', 'number', 'title', 'author_id', 'created_at'])
      .where('article_id', '=', articleId).orderBy('number', 'desc').execute();
  }

  // ---- links and related ------------------------------------------------------------------

  async replaceLinks(db: Db, sourceId: string, slugs: readonly string[]) {
    await db.deleteFrom('kb_links').where('source_article_id', '=', sourceId).execute();
    if (slugs.length) await db.insertInto('kb_links').values(slugs.map((target_slug) => ({ source_article_id: sourceId, target_slug }))).execute();
  }

  /** Published articles whose published text links to this slug. */
  backlinks(db: Db, slug: string) {
    return db.selectFrom('kb_links as l').innerJoin('kb_articles as a', 'a.id', 'l.source_article_id')
      .innerJoin('kb_revisions as r', 'r.id', 'a.published_revision_id')
      .select(['a.id', 'a.slug', 'r.title']).where('l.target_slug', '=', slug).where('a.status', '=', 'published')
      .orderBy('r.title').execute();
  }

  async replaceRelated(db: Db, articleId: string, relatedIds: readonly string[]) {
    await db.deleteFrom('kb_related').where('article_id', '=', articleId).execute();
    if (relatedIds.length) {
      await db.insertInto('kb_related').values(relatedIds.map((related_id, position) => ({ article_id: articleId, related_id, position }))).execute();
    }
  }

  manualRelated(db: Db, articleId: string) {
    return db.selectFrom('kb_related as k').innerJoin('kb_articles as a', 'a.id', 'k.related_id')
      .select(['a.id', 'a.slug', 'a.title', 'a.status', 'a.published_revision_id']).where('k.article_id', '=', articleId).orderBy('k.position').execute();
  }

  /** Published articles in the same language sharing a tag (most shared first), else the same category. */
  suggestedRelated(db: Db, article: { id: string; locale: Locale; tags: string[]; category_id: string | null }, limit: number) {
    return db.selectFrom('kb_articles as a').innerJoin('kb_revisions as r', 'r.id', 'a.published_revision_id')
      .select(['a.id', 'a.slug', 'r.title'])
      .where('a.status', '=', 'published').where('a.locale', '=', article.locale).where('a.id', '<>', article.id)
      .where((eb) => eb.or([
        eb(sql`a.tags`, '&&', sql`${sql.val(article.tags)}::text[]`),
        ...(article.category_id ? [eb('a.category_id', '=', article.category_id)] : []),
      ]))
      .orderBy(sql`cardinality(array(select unnest(a.tags) intersect select unnest(${sql.val(article.tags)}::text[])))`, 'desc')
      .orderBy('a.views', 'desc').limit(limit).execute();
  }

  // ---- attachments ------------------------------------------------------------------------

  insertAttachment(db: Db, values: { article_id: string; storage_key: string; filename: string; content_type: string; size_bytes: number; sha256: string }) {
    return db.insertInto('kb_attachments').values(values).returningAll().executeTakeFirstOrThrow();
  }

  attachments(db: Db, articleId: string) {
    return db.selectFrom('kb_attachments').selectAll().where('article_id', '=', articleId).orderBy('created_at').execute();
  }

  deleteAttachmentsOf(db: Db, articleId: string) {
    return db.deleteFrom('kb_attachments').where('article_id', '=', articleId).execute();
  }

  attachment(db: Db, id: string) {
    return db.selectFrom('kb_attachments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  // ---- votes ------------------------------------------------------------------------------

  /** One vote per visitor and article; false when this visitor had voted already. */
  async insertVote(db: Db, values: { article_id: string; visitor: string; helpful: boolean; comment: string | null; created_at: Date }): Promise<boolean> {
    const inserted = await db.insertInto('kb_votes').values(values).onConflict((oc) => oc.columns(['article_id', 'visitor']).doNothing())
      .returning('id').executeTakeFirst();
    if (!inserted) return false;
    await db.updateTable('kb_articles').set(values.helpful
      ? { helpful: sql`helpful + 1` }
      : { unhelpful: sql`unhelpful + 1`, unhelpful_since_edit: sql`unhelpful_since_edit + 1` } as never)
      .where('id', '=', values.article_id).execute();
    return true;
  }

  /** "Not helpful" votes with a comment, newest first, with their article's title: one keyset page. */
  unhelpfulComments(db: Db, query: { articleId?: string; limit: number; after?: { at: Date; id: string } }) {
    let q = db.selectFrom('kb_votes as v').innerJoin('kb_articles as a', 'a.id', 'v.article_id')
      .select(['v.id', 'v.article_id', 'v.comment', 'v.created_at', 'a.title', 'a.locale', 'a.slug'])
      .where('v.helpful', '=', false).where('v.comment', 'is not', null);
    if (query.articleId) q = q.where('v.article_id', '=', query.articleId);
    if (query.after) {
      const { at, id } = query.after;
      q = q.where((eb) => eb.or([eb('v.created_at', '<', at), eb.and([eb('v.created_at', '=', at), eb('v.id', '<', id)])]));
    }
    return q.orderBy('v.created_at', 'desc').orderBy('v.id', 'desc').limit(query.limit).execute();
  }

  hasVoted(db: Db, articleId: string, visitor: string) {
    return db.selectFrom('kb_votes').select('helpful').where('article_id', '=', articleId).where('visitor', '=', visitor).executeTakeFirst();
  }

  // ---- reports ----------------------------------------------------------------------------

  lowHelpfulness(db: Db, minVotes: number, limit: number) {
    return db.selectFrom('kb_articles').selectAll().where('status', '=', 'published')
      .where(sql<boolean>`helpful + unhelpful >= ${minVotes}`)
      .orderBy(sql`helpful::float / nullif(helpful + unhelpful, 0)`).orderBy('unhelpful', 'desc').limit(limit).execute();
  }

  stale(db: Db, reviewedBefore: Date, limit: number) {
    return db.selectFrom('kb_articles').selectAll().where('status', '=', 'published')
      .where((eb) => eb.or([
        eb('unhelpful_since_edit', '>', 0),
        eb(sql`coalesce(last_reviewed_at, published_at)`, '<', reviewedBefore),
      ]))
      .orderBy(sql`coalesce(last_reviewed_at, published_at)`).limit(limit).execute();
  }

  // ---- subscriptions and digests ----------------------------------------------------------

  insertSubscription(db: Db, values: { customer_id: string; target_kind: SubscriptionTarget; target_id: string; consent_at: Date; consent_ip: string | null }) {
    return db.insertInto('kb_subscriptions').values(values)
      .onConflict((oc) => oc.columns(['customer_id', 'target_kind', 'target_id']).doUpdateSet({ consent_at: values.consent_at, consent_ip: values.consent_ip }))
      .returningAll().executeTakeFirstOrThrow();
  }

  subscription(db: Db, customerId: string, kind: SubscriptionTarget, targetId: string) {
    return db.selectFrom('kb_subscriptions').selectAll().where('customer_id', '=', customerId)
      .where('target_kind', '=', kind).where('target_id', '=', targetId).executeTakeFirst();
  }

  deleteSubscription(db: Db, customerId: string, kind: SubscriptionTarget, targetId: string) {
    return db.deleteFrom('kb_subscriptions').where('customer_id', '=', customerId)
      .where('target_kind', '=', kind).where('target_id', '=', targetId).execute();
  }

  deleteSubscriptionsOfTarget(db: Db, kind: SubscriptionTarget, targetId: string) {
    return db.deleteFrom('kb_subscriptions').where('target_kind', '=', kind).where('target_id', '=', targetId).execute();
  }

  /** Subscriptions that an article's change concerns: the article itself or its category. */
  subscriptionsFor(db: Db, articleId: string, categoryId: string | null) {
    return db.selectFrom('kb_subscriptions').select(['id', 'customer_id'])
      .where((eb) => eb.or([
        eb.and([eb('target_kind', '=', 'article'), eb('target_id', '=', articleId)]),
        ...(categoryId ? [eb.and([eb('target_kind', '=', 'category'), eb('target_id', '=', categoryId)])] : []),
      ])).execute();
  }

  async queueDigestItems(db: Db, items: { customer_id: string; article_id: string; subscription_id: string }[]) {
    if (items.length) await db.insertInto('kb_digest_items').values(items).onConflict((oc) => oc.doNothing()).execute();
  }

  takeDigestItems(db: Db, customerId: string) {
    return db.deleteFrom('kb_digest_items').where('customer_id', '=', customerId).returning(['article_id', 'subscription_id']).execute();
  }

  insertDigest(db: Db, values: { customer_id: string; article_ids: string[]; subscription_ids: string[]; token_hash: string }) {
    return db.insertInto('kb_digests').values(values).returningAll().executeTakeFirstOrThrow();
  }

  digestByToken(db: Db, tokenHash: string) {
    return db.selectFrom('kb_digests').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  deleteSubscriptionsById(db: Db, customerId: string, ids: readonly string[]) {
    if (!ids.length) return Promise.resolve([]);
    return db.deleteFrom('kb_subscriptions').where('customer_id', '=', customerId).where('id', 'in', ids).returning('id').execute();
  }

  digests(db: Db, options: { customerId?: string; limit: number }) {
    let q = db.selectFrom('kb_digests as d').innerJoin('customers as c', 'c.id', 'd.customer_id')
      .select(['d.id', 'd.customer_id', 'c.email', 'd.article_ids', 'd.created_at']);
    if (options.customerId) q = q.where('d.customer_id', '=', options.customerId);
    return q.orderBy('d.created_at', 'desc').limit(options.limit).execute();
  }
}
