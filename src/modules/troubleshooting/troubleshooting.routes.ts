import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { locales } from '../../core/i18n/index.js';
import { actorOf, requireAgent } from '../accounts/index.js';
import { NODE_KINDS, type TreeRow } from './troubleshooting.schema.js';
import type { TroubleshootingService } from './troubleshooting.service.js';
import { TreeInput } from './troubleshooting.validate.js';
import { ErrorView, IdParams } from '../../contracts/http.js';


const NodeView = z.object({
  id: z.string(), kind: z.enum(NODE_KINDS), title: z.string(), body: z.string(),
  answers: z.array(z.object({ id: z.string(), label: z.string(), next: z.string() })), articleId: z.string().nullable(),
});
const TreeSummaryView = z.object({
  id: z.string(), slug: z.string(), locale: z.enum(locales), product: z.string(), title: z.string(), description: z.string(),
  version: z.number(), published: z.boolean().describe('Customers can walk it on the portal'),
  hasUnpublishedChanges: z.boolean(), publishedAt: z.date().nullable(), createdAt: z.date(), updatedAt: z.date(),
  url: z.string().describe('Its portal address'),
});
const TreeView = TreeSummaryView.extend({ nodes: z.array(NodeView) });
const StatsView = z.object({
  nodes: z.array(z.object({
    nodeId: z.string(), visits: z.number(), advances: z.number().describe('Visits that went on to the next step'),
    solutions: z.number().describe('Visits of a solution'), repairs: z.number().describe('Repair requests opened here'),
    dropOffs: z.number().describe('Visits that went no further'),
  })),
});

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
      response: { 200: z.object({ trees: z.array(TreeSummaryView) }) },
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
    schema: { tags, summary: 'Publish the draft: customers walk it from now on (editor)', params: IdParams, response: { 200: TreeView, 400: ErrorView, 404: ErrorView } },
  }, async (request) => treeView(await trees.publish(request.workspace.id, request.params.id, actorOf(request))));

  app.post('/troubleshooting/trees/:id/unpublish', {
    ...editors,
    schema: { tags, summary: 'Take the tree off the portal (editor)', params: IdParams, response: { 200: TreeView, 404: ErrorView } },
  }, async (request) => treeView(await trees.unpublish(request.workspace.id, request.params.id, actorOf(request))));

  app.get('/troubleshooting/trees/:id/stats', {
    ...anyAgent,
    schema: { tags, summary: 'Visits, completions and drop-offs per node', params: IdParams, response: { 200: StatsView, 404: ErrorView } },
  }, async (request) => ({ nodes: await trees.stats(request.workspace.id, request.params.id) }));
};
