import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { locales } from '../../core/i18n/index.js';
import { actorOf, requireAgent } from '../accounts/index.js';
import type { TreeRow } from './troubleshooting.schema.js';
import type { TroubleshootingService } from './troubleshooting.service.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import { PublishTreeBody, StatsView, TreeInput, TreeListView, TreeView } from '../../contracts/troubleshooting.js';

type Summary = Pick<TreeRow, 'id' | 'slug' | 'locale' | 'product' | 'title' | 'description' | 'version' | 'published' | 'published_at' | 'created_at' | 'updated_at'>;

const summaryView = (t: Summary) => ({
  id: t.id, slug: t.slug, locale: t.locale, product: t.product, title: t.title, description: t.description, version: t.version,
  published: t.published !== null,
  hasUnpublishedChanges: t.published !== null && t.published_at !== null && t.updated_at > t.published_at,
  publishedAt: t.published_at, createdAt: t.created_at, updatedAt: t.updated_at,
  url: `/help/troubleshoot/${t.slug}`,
});
const treeView = (t: TreeRow) => ({ ...summaryView(t), nodes: t.nodes });

/** Any agent reads trees and their numbers; editors and admins change them. */
export const troubleshootingRoutes = (trees: TroubleshootingService): FastifyPluginAsyncZod => async (app) => {
  const anyAgent = { preHandler: requireAgent() };
  const editors = { preHandler: requireAgent('editor', 'admin') };
  const tags = ['troubleshooting'];

  app.get('/troubleshooting/trees', {
    ...anyAgent,
    schema: {
      tags, summary: 'Troubleshooting trees of this workspace',
      querystring: z.strictObject({ locale: z.enum(locales).optional() }),
      response: { 200: TreeListView },
    },
  }, async (request) => ({ trees: (await trees.list(request.workspace.id, request.query)).map(summaryView) }));

  app.post('/troubleshooting/trees', {
    ...editors,
    schema: { tags, summary: 'Create a tree (editor); checked whole: no loops, no dangling answers, one first question', body: TreeInput, response: { 201: TreeView, 400: ErrorView, 409: ErrorView } },
  }, async (request, reply) => reply.code(201).send(treeView(await trees.create(request.workspace.id, request.body, actorOf(request)))));

  app.get('/troubleshooting/trees/:id', {
    ...anyAgent,
    schema: { tags, summary: 'One tree with its draft nodes', params: IdParams, response: { 200: TreeView, 404: ErrorView } },
  }, async (request) => treeView(await trees.get(request.workspace.id, request.params.id)));

  app.put('/troubleshooting/trees/:id', {
    ...editors,
    schema: {
      tags, summary: 'Replace a tree\'s draft (editor); the portal keeps the published version until the next publish', params: IdParams,
      body: TreeInput.extend({ version: z.number().int().min(1).optional().describe('The version you loaded: a newer save answers 409 TREE_CHANGED') }),
      response: { 200: TreeView, 400: ErrorView, 404: ErrorView, 409: ErrorView },
    },
  }, async (request) => {
    const { version, ...input } = request.body;
    return treeView(await trees.update(request.workspace.id, request.params.id, input, version, actorOf(request)));
  });

  app.delete('/troubleshooting/trees/:id', {
    ...editors,
    schema: { tags, summary: 'Delete a tree and its numbers (editor)', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await trees.remove(request.workspace.id, request.params.id, actorOf(request));
    return reply.code(204).send(null);
  });

  app.post('/troubleshooting/trees/:id/publish', {
    ...editors,
    schema: {
      tags, summary: 'Publish the draft: customers walk it from now on (editor)', params: IdParams, body: PublishTreeBody,
      response: { 200: TreeView, 400: ErrorView, 404: ErrorView, 409: ErrorView },
    },
  }, async (request) => treeView(await trees.publish(request.workspace.id, request.params.id, actorOf(request), request.body?.version)));

  app.post('/troubleshooting/trees/:id/unpublish', {
    ...editors,
    schema: { tags, summary: 'Take the tree off the portal (editor)', params: IdParams, response: { 200: TreeView, 404: ErrorView } },
  }, async (request) => treeView(await trees.unpublish(request.workspace.id, request.params.id, actorOf(request))));

  app.get('/troubleshooting/trees/:id/stats', {
    ...anyAgent,
    schema: { tags, summary: 'Visits, completions and drop-offs per node', params: IdParams, response: { 200: StatsView, 404: ErrorView } },
  }, async (request) => ({ nodes: await trees.stats(request.workspace.id, request.params.id) }));
};
