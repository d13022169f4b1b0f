/** Rows to the JSON shapes of the KB API (src/contracts/kb.ts). */
import type { ArticleDetail } from './kb.service.js';
import { articleUrl, attachmentUrl } from './kb.service.js';
import type { ArticleRow, AttachmentRow, CategoryRow, RevisionRow } from './kb.schema.js';

export const categoryView = (c: CategoryRow) => ({
  id: c.id, parentId: c.parent_id, slug: c.slug, names: c.names, descriptions: c.descriptions, position: c.position, createdAt: c.created_at, updatedAt: c.updated_at,
});

export const articleSummaryView = (a: ArticleRow) => ({
  id: a.id, slug: a.slug, locale: a.locale, title: a.title, categoryId: a.category_id, status: a.status,
  hasUnpublishedChanges: a.status === 'published' && a.draft_revision_id !== a.published_revision_id,
  faq: a.faq, tags: a.tags, questions: a.questions, product: a.product, translationGroupId: a.translation_group_id,
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
