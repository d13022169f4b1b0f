import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CustomerPageView, SegmentCountView, SegmentPreviewView, SegmentView } from '../../contracts/customers.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import { actorOf, requireAgent } from '../accounts/index.js';
import { customerView } from './customers.routes.js';
import type { SegmentRow } from './customers.schema.js';
import type { CustomerSegments } from './customers.segments.js';

const errorsOf = (...statuses: (400 | 404 | 409)[]) => Object.fromEntries(statuses.map((s) => [s, ErrorView]));
const segmentView = (s: SegmentRow) => ({ id: s.id, name: s.name, description: s.description, rule: s.rule, createdAt: s.created_at, updatedAt: s.updated_at });

const RULE = z.unknown().describe(
  'A group {match: all|any, conditions: [...]}; each condition a nested group or {field, op, …} on name, email, locale, timeZone, company, tag, attribute, '
  + 'product, orders, consent, lastContact or createdAt (see the module README). A bad part is named by its path in SEGMENT_RULE_INVALID / SEGMENT_REFERENCE_UNKNOWN details.problems',
);
const Name = z.string().trim().min(1).max(120);
const Description = z.string().trim().max(1000);

/**
 * Saved segments: any agent reads them, counts them and lists their customers; admins write them
 * (as they define the record's attributes and purposes the rules name).
 */
export const segmentRoutes = (segments: CustomerSegments): FastifyPluginAsyncZod => async (app) => {
  const anyAgent = { preHandler: requireAgent() };
  const admins = { preHandler: requireAgent('admin') };
  const tags = ['customers'];

  app.get('/customer-segments', {
    ...anyAgent,
    schema: { tags, summary: 'Saved segments of this workspace, by name', response: { 200: z.object({ segments: z.array(SegmentView) }) } },
  }, async (request) => ({ segments: (await segments.list(request.workspace.id)).map(segmentView) }));

  app.post('/customer-segments', {
    ...admins,
    schema: {
      tags, summary: 'Save a segment (admin): a name and a rule, checked against this workspace\'s attributes, purposes, products and companies',
      body: z.strictObject({ name: Name, description: Description.default(''), rule: RULE }),
      response: { 201: SegmentView, ...errorsOf(400, 409) },
    },
  }, async (request, reply) => reply.code(201).send(segmentView(await segments.create(request.workspace.id, request.body, actorOf(request)))));

  app.post('/customer-segments/preview', {
    ...anyAgent,
    schema: {
      tags, summary: 'Count an unsaved rule and show its first customers (the live count while a rule is edited)',
      description: 'In a workspace of more customers than KEFU_SEGMENT_PREVIEW_EXACT_UP_TO (100,000 by default) the count is estimated from a sample (`estimated: true`, ' +
        'rounded to 3 significant figures); a rule few customers match is still counted exactly.',
      body: z.strictObject({ rule: RULE, limit: z.number().int().min(1).max(100).default(20) }),
      response: { 200: SegmentPreviewView, ...errorsOf(400) },
    },
  }, async (request) => {
    const preview = await segments.preview(request.workspace.id, request.body.rule, request.body.limit);
    return { count: preview.count, estimated: preview.estimated, customers: preview.customers.map(customerView), nextCursor: preview.nextCursor };
  });

  app.get('/customer-segments/:id', {
    ...anyAgent,
    schema: { tags, summary: 'A saved segment', params: IdParams, response: { 200: SegmentView, ...errorsOf(404) } },
  }, async (request) => segmentView(await segments.find(request.workspace.id, request.params.id)));

  app.patch('/customer-segments/:id', {
    ...admins,
    schema: {
      tags, summary: 'Rename a segment or change its rule (admin)', params: IdParams,
      body: z.strictObject({ name: Name.optional(), description: Description.optional(), rule: RULE.optional() }),
      response: { 200: SegmentView, ...errorsOf(400, 404, 409) },
    },
  }, async (request) => segmentView(await segments.update(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.delete('/customer-segments/:id', {
    ...admins,
    schema: { tags, summary: 'Delete a segment (admin); its customers are untouched', params: IdParams, response: { 204: z.null(), ...errorsOf(404) } },
  }, async (request, reply) => {
    await segments.remove(request.workspace.id, request.params.id, actorOf(request));
    return reply.code(204).send(null);
  });

  app.get('/customer-segments/:id/count', {
    ...anyAgent,
    schema: {
      tags, params: IdParams, response: { 200: SegmentCountView, ...errorsOf(404) },
      summary: 'How many customers are in the segment (erased customers never are), as counted at countedAt: within the last 15 minutes, '
        + 'and again a minute or two after the workspace\'s customers change; counted now when older',
    },
  }, async (request) => segments.count(request.workspace.id, request.params.id));

  app.get('/customer-segments/:id/customers', {
    ...anyAgent,
    schema: {
      tags, summary: 'The segment\'s customers, newest first, a page at a time (keyset pages like GET /customers)', params: IdParams,
      querystring: z.strictObject({
        cursor: z.string().max(200).optional().describe('nextCursor of the page before'), limit: z.coerce.number().int().min(1).max(100).default(50),
      }),
      response: { 200: CustomerPageView, ...errorsOf(400, 404) },
    },
  }, async (request) => {
    const page = await segments.members(request.workspace.id, request.params.id, request.query);
    return { customers: page.customers.map(customerView), nextCursor: page.nextCursor };
  });
};
