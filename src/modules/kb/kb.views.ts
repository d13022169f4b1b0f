import { z } from 'zod';
import { locales } from '../../core/i18n/index.js';
import type { ArticleDetail } from './kb.service.js';
import { articleUrl, attachmentUrl } from './kb.service.js';
import type { ArticleRow, AttachmentRow, CategoryRow, RevisionRow } from './kb.schema.js';

/** The JSON shapes of the KB API; response schemas drop anything not declared here. */
const Localised = z.object({ en: z.string().optional(), 'zh-CN': z.string().optional() });

export const CategoryView = z.object({
  id: z.string(), parentId: z.string().nullable(), slug: z.string(), names: Localised, descriptions: Localised,
  position: z.number(), createdAt: z.date(), updatedAt: z.date(),
});

export const ArticleSummaryView = z.object({
  id: z.string(), slug: z.string(), locale: z.enum(locales), title: z.string(), categoryId: z.string().nullable(),
  status: z.enum(['draft', 'published']), hasUnpublishedChanges: z.boolean(), faq: z.boolean(), tags: z.array(z.string()),
  product: z.string().nullable(), translationGroupId: z.string(), views: z.number(), helpful: z.number(), unhelpful: z.number(),
  url: z.string(), publishedAt: z.date().nullable(), lastReviewedAt: z.date().nullable(), updatedAt: z.date(), createdAt: z.date(),
});

export const RevisionSummaryView = z.object({
  id: z.string(), number: z.number(), title: z.string(), authorId: z.string().nullable(), createdAt: z.date(), published: z.boolean(),
});

export const RevisionView = RevisionSummaryView.extend({ markdown: z.string(), html: z.string(), description: z.string() });

const Ref = z.object({ id: z.string(), slug: z.string(), title: z.string() });

export const ArticleView = ArticleSummaryView.extend({
  description: z.string(),
  draft: RevisionView,
  published: RevisionView.nullable(),
  translations: z.array(Ref.extend({ locale: z.enum(locales), status: z.enum(['draft', 'published']) })),
  backlinks: z.array(Ref),
  related: z.array(Ref.extend({ manual: z.boolean() })),
  revisions: z.array(RevisionSummaryView),
});

export const AttachmentView = z.object({
  id: z.string(), filename: z.string(), contentType: z.string(), sizeBytes: z.number(), url: z.string(), markdown: z.string(), createdAt: z.date(),
});

export const categoryView = (c: CategoryRow) => ({
  id: c.id, parentId: c.parent_id, slug: c.slug, names: c.names, descriptions: c.descriptions, position: c.position, createdAt: c.created_at, updatedAt: c.updated_at,
});

export const articleSummaryView = (a: ArticleRow) => ({
  id: a.id, slug: a.slug, locale: a.locale, title: a.title, categoryId: a.category_id, status: a.status,
  hasUnpublishedChanges: a.status === 'published' && a.draft_revision_id !== a.published_revision_id,
  faq: a.faq, tags: a.tags, product: a.product, translationGroupId: a.translation_group_id,
  views: Number(a.views), helpful: a.helpful, unhelpful: a.unhelpful, url: articleUrl(a.slug),
  publishedAt: a.published_at, lastReviewedAt: a.last_reviewed_at, updatedAt: a.updated_at, createdAt: a.created_at,
});

export const revisionView = (r: RevisionRow & { html: string }, publishedId: string | null) => ({
  id: r.id, number: r.number, title: r.title, authorId: r.author_id, createdAt: r.created_at, published: r.id === publishedId,
  markdown: r.markdown, html: r.html, description: r.description,
});

export const revisionSummaryView = (r: { id: string; number: number; title: string; author_id: string | null; created_at: Date; published: boolean }) => ({
  id: r.id, number: r.number, title: r.title, authorId: r.author_id, createdAt: r.created_at, published: r.published,
});

export const articleView = (d: ArticleDetail) => ({
  ...articleSummaryView(d.article),
  description: d.draft.description,
  draft: revisionView(d.draft, d.article.published_revision_id),
  published: d.published ? revisionView(d.published, d.article.published_revision_id) : null,
  translations: d.translations,
  backlinks: d.backlinks,
  related: d.related,
  revisions: d.revisions.map(revisionSummaryView),
});

export const attachmentView = (a: AttachmentRow) => {
  const url = attachmentUrl(a);
  return {
    id: a.id, filename: a.filename, contentType: a.content_type, sizeBytes: Number(a.size_bytes), url,
    markdown: a.content_type.startsWith('image/') ? `![${a.filename}](${url})` : `[${a.filename}](${url})`, createdAt: a.created_at,
  };
};
