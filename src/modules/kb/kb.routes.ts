import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { validationFailed } from '../../core/errors.js';
import { locales } from '../../core/i18n/index.js';
import { actorOf, requireAgent } from '../accounts/index.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import { KB_IMAGE_MAX_BYTES, type KbService } from './kb.service.js';
import { articleSummaryView, articleView, attachmentView, categoryView, revisionSummaryView, revisionView } from './kb.views.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import {
  ArticlePageView, ArticlePatch, ArticleView, AttachmentListView, AttachmentView, CategoryListView, CategoryPatch, CategoryView, DigestListView,
  FeedbackPageView, LowHelpfulnessView, NewArticle, NewCategory, PreviewBody, PreviewView, PublishBody, RevisionListView, RevisionView, StaleView, FromMessageBody,
} from '../../contracts/kb.js';

const RevisionParams = z.object({ id: z.string().uuid(), revisionId: z.string().uuid() });

const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Agents read the knowledge base; editors and admins change it. */
export const kbRoutes = (kb: KbService, store: AttachmentStore): FastifyPluginAsyncZod => async (app) => {
  const anyAgent = { preHandler: requireAgent() };
  const editors = { preHandler: requireAgent('editor', 'admin') };
  const tags = ['knowledge base'];
  /** Every change answers with the whole article as it now is. */
  const detail = async (workspaceId: string, changed: Promise<{ id: string }>) => articleView(await kb.article(workspaceId, (await changed).id));

  // ---- categories ----
  app.get('/kb/categories', {
    ...anyAgent, schema: { tags, summary: 'The category tree, flat, by position', response: { 200: CategoryListView } },
  }, async (request) => ({ categories: (await kb.categories(request.workspace.id)).map(categoryView) }));

  app.post('/kb/categories', {
    ...editors, schema: { tags, summary: 'Add a category (editors)', body: NewCategory, response: { 201: CategoryView, 400: ErrorView, 404: ErrorView, 409: ErrorView } },
  }, async (request, reply) => reply.code(201).send(categoryView(await kb.createCategory(request.workspace.id, request.body))));

  app.get('/kb/categories/:id', {
    ...anyAgent, schema: { tags, summary: 'One category', params: IdParams, response: { 200: CategoryView, 404: ErrorView } },
  }, async (request) => categoryView(await kb.category(request.workspace.id, request.params.id)));

  app.patch('/kb/categories/:id', {
    ...editors, schema: { tags, summary: 'Rename, move or reorder a category (editors)', params: IdParams, body: CategoryPatch, response: { 200: CategoryView, 400: ErrorView, 404: ErrorView, 409: ErrorView } },
  }, async (request) => categoryView(await kb.updateCategory(request.workspace.id, request.params.id, request.body)));

  app.delete('/kb/categories/:id', {
    ...editors, schema: { tags, summary: 'Delete an empty category (editors)', params: IdParams, response: { 204: z.null(), 404: ErrorView, 409: ErrorView } },
  }, async (request, reply) => {
    await kb.deleteCategory(request.workspace.id, request.params.id);
    return reply.code(204).send(null);
  });

  // ---- articles ----
  app.get('/kb/articles', {
    ...anyAgent,
    schema: {
      tags, summary: 'Articles, newest-updated first, one keyset page at a time',
      querystring: z.strictObject({
        status: z.enum(['draft', 'published']).optional(), categoryId: z.string().uuid().optional(), locale: z.enum(locales).optional(),
        q: z.string().trim().min(1).max(200).optional(), faq: Bool.optional(), limit: Limit(200, 50), cursor: z.string().max(200).optional(),
      }),
      response: { 200: ArticlePageView, 400: ErrorView },
    },
  }, async (request) => {
    const page = await kb.listArticles(request.workspace.id, request.query);
    return { articles: page.articles.map(articleSummaryView), nextCursor: page.nextCursor };
  });

  app.post('/kb/articles', {
    ...editors, schema: { tags, summary: 'Write a new article: a draft with its first revision (editors)', body: NewArticle, response: { 201: ArticleView, 400: ErrorView, 404: ErrorView, 409: ErrorView } },
  }, async (request, reply) => reply.code(201).send(await detail(request.workspace.id, kb.createArticle(request.workspace.id, request.body, request.agent!.id))));

  app.get('/kb/articles/:id', {
    ...anyAgent, schema: { tags, summary: 'One article with its draft, published revision, translations, back links, related articles and revisions', params: IdParams, response: { 200: ArticleView, 404: ErrorView } },
  }, async (request) => articleView(await kb.article(request.workspace.id, request.params.id)));

  app.patch('/kb/articles/:id', {
    ...editors,
    schema: {
      tags, summary: 'Edit an article (editors): text changes make a new draft revision; the published one stays live', params: IdParams, body: ArticlePatch,
      response: { 200: ArticleView, 400: ErrorView, 404: ErrorView, 409: ErrorView },
    },
  }, async (request) => detail(request.workspace.id, kb.updateArticle(request.workspace.id, request.params.id, request.body, request.agent!.id)));

  app.delete('/kb/articles/:id', {
    ...editors, schema: { tags, summary: 'Delete an article with its revisions and files (editors)', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await kb.deleteArticle(request.workspace.id, request.params.id);
    return reply.code(204).send(null);
  });

  app.post('/kb/articles/:id/publish', {
    ...editors,
    schema: {
      tags, summary: 'Publish a revision (default: the newest) (editors)', params: IdParams,
      body: PublishBody, response: { 200: ArticleView, 404: ErrorView },
    },
  }, async (request) => detail(request.workspace.id, kb.publish(request.workspace.id, request.params.id, request.body?.revisionId, actorOf(request))));

  app.post('/kb/articles/:id/unpublish', {
    ...editors, schema: { tags, summary: 'Take an article off the portal and out of search (editors)', params: IdParams, response: { 200: ArticleView, 404: ErrorView } },
  }, async (request) => detail(request.workspace.id, kb.unpublish(request.workspace.id, request.params.id)));

  app.post('/kb/articles/:id/reviewed', {
    ...editors, schema: { tags, summary: 'Mark an article reviewed today (editors)', params: IdParams, response: { 200: ArticleView, 404: ErrorView } },
  }, async (request) => detail(request.workspace.id, kb.markReviewed(request.workspace.id, request.params.id)));

  app.get('/kb/articles/:id/revisions', {
    ...anyAgent, schema: { tags, summary: 'An article\'s revisions, newest first', params: IdParams, response: { 200: RevisionListView, 404: ErrorView } },
  }, async (request) => ({ revisions: (await kb.revisions(request.workspace.id, request.params.id)).map(revisionSummaryView) }));

  app.get('/kb/articles/:id/revisions/:revisionId', {
    ...anyAgent, schema: { tags, summary: 'One revision with its Markdown and rendered HTML', params: RevisionParams, response: { 200: RevisionView, 404: ErrorView } },
  }, async (request) => {
    const revision = await kb.revision(request.workspace.id, request.params.id, request.params.revisionId);
    return { ...revisionView(revision, revision.published ? revision.id : null) };
  });

  app.get('/kb/articles/:id/attachments', {
    ...anyAgent, schema: { tags, summary: 'An article\'s files and images', params: IdParams, response: { 200: AttachmentListView, 404: ErrorView } },
  }, async (request) => ({ attachments: (await kb.attachments(request.workspace.id, request.params.id)).map(attachmentView) }));

  // The file is the raw request body: any content type reaches the handler as a stream, unread.
  await app.register(async (plain) => {
    const uploads = plain.withTypeProvider<ZodTypeProvider>();
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const rawBody = (body: unknown) => {
      const stream = body as Readable | undefined;
      if (!stream || typeof stream.pipe !== 'function') throw validationFailed('Send the file as the request body');
      return stream;
    };
    uploads.post('/kb/articles/:id/images', {
      ...editors,
      schema: {
        tags, params: IdParams,
        summary: `Upload an image for the article's text (editors): PNG, JPEG, GIF or WebP, at most ${KB_IMAGE_MAX_BYTES / 1024 / 1024} MB, checked by its bytes; the body is the image`,
        querystring: z.strictObject({ filename: z.string().trim().min(1).max(200) }),
        response: { 201: AttachmentView, 400: ErrorView, 404: ErrorView, 413: ErrorView, 415: ErrorView },
      },
    }, async (request, reply) => {
      const image = await kb.addImage(request.workspace.id, request.params.id, { filename: request.query.filename, stream: rawBody(request.body) });
      return reply.code(201).send(attachmentView(image));
    });
    uploads.post('/kb/articles/:id/attachments', {
      ...editors,
      schema: {
        tags, summary: 'Upload a file or image to an article (editors): the body is the file\'s bytes', params: IdParams,
        querystring: z.strictObject({ filename: z.string().trim().min(1).max(200) }),
        response: { 201: AttachmentView, 400: ErrorView, 404: ErrorView, 413: ErrorView, 415: ErrorView },
      },
    }, async (request, reply) => {
      const attachment = await kb.addAttachment(request.workspace.id, request.params.id, { filename: request.query.filename, stream: rawBody(request.body) });
      return reply.code(201).send(attachmentView(attachment));
    });
  });

  // The portal serves an article's files once it is published; editors see a draft's images here (the preview points here).
  app.get('/kb/attachments/:id/:filename', {
    ...anyAgent,
    schema: { tags, summary: 'A file of any article, published or not (agents)', params: z.object({ id: z.string().uuid(), filename: z.string().max(300) }), response: { 404: ErrorView } },
  }, async (request, reply) => {
    const attachment = await kb.attachment(request.workspace.id, request.params.id);
    return store.send(reply, { storage_key: attachment.storage_key, filename: attachment.filename, content_type: attachment.content_type, size_bytes: Number(attachment.size_bytes) });
  });

  app.post('/kb/preview', {
    ...anyAgent,
    schema: { tags, summary: 'Render Markdown as the portal would (sanitised HTML)', body: PreviewBody, response: { 200: PreviewView, 400: ErrorView } },
  }, async (request) => ({ html: await kb.preview(request.workspace.id, request.body.markdown) }));

  // Writes an article like POST /kb/articles, so the same roles (issue 12 #13).
  app.post('/kb/articles/from-message/:messageId', {
    ...editors,
    schema: {
      tags, summary: 'Turn a ticket message (an agent\'s reply) into a draft article', params: z.object({ messageId: z.string().uuid() }),
      body: FromMessageBody,
      response: { 201: ArticleView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request, reply) => {
    const locale = request.body?.locale ?? request.agent!.locale ?? request.workspace.default_locale;
    return reply.code(201).send(await detail(request.workspace.id, kb.fromMessage(request.workspace.id, request.params.messageId, { ...request.body, locale }, request.agent!.id)));
  });

  // ---- reports ----
  app.get('/kb/reports/low-helpfulness', {
    ...anyAgent,
    schema: {
      tags, summary: 'Published articles voted least helpful, worst first',
      querystring: z.strictObject({ minVotes: z.coerce.number().int().min(1).max(10_000).default(3), limit: Limit(200, 50) }),
      response: { 200: LowHelpfulnessView },
    },
  }, async (request) => ({
    articles: (await kb.lowHelpfulness(request.workspace.id, request.query)).map((a) => ({
      ...articleSummaryView(a), helpfulRatio: a.helpful + a.unhelpful === 0 ? 0 : a.helpful / (a.helpful + a.unhelpful),
    })),
  }));

  // Customers' own words, so editors (not every agent) read them, as they read subscribers' digests.
  app.get('/kb/feedback', {
    ...editors,
    schema: {
      tags, summary: 'What customers wrote with "not helpful" votes, newest first, for every article or one (editors)',
      querystring: z.strictObject({ articleId: z.string().uuid().optional(), limit: Limit(100, 20), cursor: z.string().max(200).optional() }),
      response: { 200: FeedbackPageView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => {
    const page = await kb.unhelpfulComments(request.workspace.id, request.query);
    return {
      comments: page.comments.map((c) => ({ id: c.id, comment: c.comment ?? '', createdAt: c.created_at, article: { id: c.article_id, title: c.title, locale: c.locale, slug: c.slug } })),
      nextCursor: page.nextCursor,
    };
  });

  app.get('/kb/reports/stale', {
    ...anyAgent,
    schema: {
      tags, summary: 'Articles not reviewed in `days`, or voted down since their last edit',
      querystring: z.strictObject({ days: z.coerce.number().int().min(1).max(3650).default(180), limit: Limit(200, 50) }),
      response: { 200: StaleView },
    },
  }, async (request) => ({ articles: (await kb.stale(request.workspace.id, request.query)).map((a) => ({ ...articleSummaryView(a), reason: a.reason })) }));

  app.get('/kb/subscriptions/digests', {
    ...editors,
    schema: {
      tags, summary: 'Digests e-mailed to subscribers, newest first (editors)',
      querystring: z.strictObject({ customerId: z.string().uuid().optional(), limit: Limit(200, 50) }),
      response: { 200: DigestListView },
    },
  }, async (request) => ({
    digests: (await kb.digests(request.workspace.id, request.query)).map((d) => ({ id: d.id, customerId: d.customer_id, email: d.email, articleIds: d.article_ids, createdAt: d.created_at })),
  }));
};
