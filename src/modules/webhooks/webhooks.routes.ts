import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, requireAgent } from '../accounts/index.js';
import { WEBHOOK_EVENT_PATTERNS, type DeliveryRow, type WebhookRow } from './webhooks.schema.js';
import { WEBHOOK_URL_RULE, parseWebhookUrl, type WebhooksService } from './webhooks.service.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import { DeliveryDetailView, DeliveryPageView, DeliveryView, WebhookListView, WebhookView, WithSecret } from '../../contracts/webhooks.js';

const DeliveryParams = z.object({ id: z.string().uuid(), deliveryId: z.string().uuid() });

const Url = z.string().trim().max(2048).refine((value) => parseWebhookUrl(value) !== undefined, WEBHOOK_URL_RULE);
const Events = z.array(z.enum(WEBHOOK_EVENT_PATTERNS)).min(1).max(20)
  .describe(`Event types to receive: exact types, \`<noun>.*\`, or \`*\`. One of ${WEBHOOK_EVENT_PATTERNS.join(', ')}`);
const Description = z.string().trim().max(200);

const webhookView = (w: WebhookRow) => ({
  id: w.id, url: w.url, description: w.description, events: w.events, active: w.active, createdAt: w.created_at, updatedAt: w.updated_at,
});

const deliveryView = (d: Omit<DeliveryRow, 'payload' | 'workspace_id'>) => ({
  id: d.id, webhookId: d.webhook_id, eventId: d.event_id, eventType: d.event_type, occurredAt: d.occurred_at, status: d.status,
  attempts: d.attempts, responseStatus: d.response_status, responseExcerpt: d.response_excerpt, error: d.error,
  durationMs: d.duration_ms, redeliveryOf: d.redelivery_of, createdAt: d.created_at, lastAttemptAt: d.last_attempt_at, completedAt: d.completed_at,
});

/** Admin only: webhooks carry data of every ticket out of Kefu. */
export const webhooksRoutes = (webhooks: WebhooksService): FastifyPluginAsyncZod => async (app) => {
  const adminOnly = { preHandler: requireAgent('admin') };

  app.get('/webhooks', {
    ...adminOnly,
    schema: { tags: ['webhooks'], summary: 'Outbound webhooks of this workspace (admin)', response: { 200: WebhookListView } },
  }, async (request) => ({ webhooks: (await webhooks.list(request.workspace.id)).map(webhookView) }));

  app.post('/webhooks', {
    ...adminOnly,
    schema: {
      tags: ['webhooks'], summary: 'Add a webhook (admin); its signing secret is shown only in this response',
      body: z.strictObject({ url: Url, events: Events, active: z.boolean().default(true), description: Description.optional() }),
      response: { 201: WithSecret, 400: ErrorView, 409: ErrorView },
    },
  }, async (request, reply) => {
    const { webhook, secret } = await webhooks.create(request.workspace.id, request.body, actorOf(request));
    return reply.code(201).send({ ...webhookView(webhook), secret });
  });

  app.get('/webhooks/:id', {
    ...adminOnly,
    schema: { tags: ['webhooks'], summary: 'One webhook (admin)', params: IdParams, response: { 200: WebhookView, 404: ErrorView } },
  }, async (request) => webhookView(await webhooks.get(request.workspace.id, request.params.id)));

  app.patch('/webhooks/:id', {
    ...adminOnly,
    schema: {
      tags: ['webhooks'], summary: 'Change a webhook\'s URL, events, description, or switch it on or off (admin)', params: IdParams,
      body: z.strictObject({ url: Url.optional(), events: Events.optional(), active: z.boolean().optional(), description: Description.optional() }),
      response: { 200: WebhookView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => webhookView(await webhooks.update(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.delete('/webhooks/:id', {
    ...adminOnly,
    schema: { tags: ['webhooks'], summary: 'Delete a webhook and its delivery log (admin)', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await webhooks.remove(request.workspace.id, request.params.id, actorOf(request));
    return reply.code(204).send(null);
  });

  app.post('/webhooks/:id/rotate-secret', {
    ...adminOnly,
    schema: {
      tags: ['webhooks'], summary: 'Replace the signing secret (admin); the new one is shown only in this response',
      params: IdParams,
      body: z.strictObject({
        keepPreviousForSeconds: z.number().int().min(0).max(7 * 86_400).default(0)
          .describe('Keep signing with the old secret too (a second v1=) for this long, while receivers switch over'),
      }).nullish(),
      response: { 200: WithSecret, 404: ErrorView },
    },
  }, async (request) => {
    const { webhook, secret } = await webhooks.rotateSecret(request.workspace.id, request.params.id, request.body?.keepPreviousForSeconds ?? 0, actorOf(request));
    return { ...webhookView(webhook), secret };
  });

  app.get('/webhooks/:id/deliveries', {
    ...adminOnly,
    schema: {
      tags: ['webhooks'], summary: 'The delivery log, newest first, one keyset page at a time (admin)', params: IdParams,
      querystring: z.strictObject({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().regex(/^\d{1,15}$/, 'a nextCursor from the previous page').optional(),
      }),
      response: { 200: DeliveryPageView, 404: ErrorView },
    },
  }, async (request) => {
    const page = await webhooks.deliveries(request.workspace.id, request.params.id, request.query);
    return { deliveries: page.deliveries.map(deliveryView), nextCursor: page.nextCursor };
  });

  app.get('/webhooks/:id/deliveries/:deliveryId', {
    ...adminOnly,
    schema: {
      tags: ['webhooks'], summary: 'One delivery with the event it carries and every attempt (admin)', params: DeliveryParams,
      response: { 200: DeliveryDetailView, 404: ErrorView },
    },
  }, async (request) => {
    const d = await webhooks.delivery(request.workspace.id, request.params.id, request.params.deliveryId);
    return {
      ...deliveryView(d),
      payload: { id: d.event_id, type: d.event_type, occurredAt: d.occurred_at.toISOString(), workspaceId: request.workspace.id, data: d.payload },
      history: d.history.map((a) => ({
        attempt: a.attempt, startedAt: a.started_at, durationMs: a.duration_ms, responseStatus: a.response_status,
        responseExcerpt: a.response_excerpt, error: a.error, succeeded: a.succeeded,
      })),
    };
  });

  app.post('/webhooks/:id/deliveries/:deliveryId/redeliver', {
    ...adminOnly,
    schema: {
      tags: ['webhooks'], summary: 'Send a finished delivery\'s event again, as a new delivery (admin)', params: DeliveryParams,
      response: { 202: DeliveryView, 404: ErrorView, 409: ErrorView },
    },
  }, async (request, reply) => {
    const copy = await webhooks.redeliver(request.workspace.id, request.params.id, request.params.deliveryId, actorOf(request));
    return reply.code(202).send(deliveryView(copy));
  });
};
