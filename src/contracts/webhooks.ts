import { z } from 'zod';
import { DELIVERY_STATUSES, WEBHOOK_EVENT_PATTERNS, WEBHOOK_EVENT_TYPES } from './enums.js';
import type { Wire } from './http.js';

/**
 * Outbound webhooks on the wire (`/api/v1/webhooks…`, admins): the webhooks, their delivery log and
 * attempts — the shapes the webhooks module's routes answer with. The URL rule is the module's
 * (an SSRF check), so the bodies stay in its routes. The console reads them as `Wire<…>`: times
 * travel as ISO strings.
 */

export { DELIVERY_STATUSES, WEBHOOK_EVENT_PATTERNS, WEBHOOK_EVENT_TYPES };
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const WebhookView = z.object({
  id: z.string(), url: z.string(), description: z.string(), events: z.array(z.string()), active: z.boolean(),
  createdAt: z.date(), updatedAt: z.date(),
});
export const WebhookListView = z.object({ webhooks: z.array(WebhookView) });
export const WithSecret = WebhookView.extend({
  secret: z.string().describe('Signs every delivery (HMAC-SHA256). Shown only in this response: store it now.'),
});
export const DeliveryView = z.object({
  id: z.string(), webhookId: z.string(), eventId: z.string(), eventType: z.string(), occurredAt: z.date(),
  status: z.enum(DELIVERY_STATUSES), attempts: z.number(), responseStatus: z.number().nullable(),
  responseExcerpt: z.string().nullable(), error: z.string().nullable(), durationMs: z.number().nullable(),
  redeliveryOf: z.string().nullable(), createdAt: z.date(), lastAttemptAt: z.date().nullable(), completedAt: z.date().nullable(),
});
export const DeliveryPageView = z.object({ deliveries: z.array(DeliveryView), nextCursor: z.string().nullable() });
export const AttemptView = z.object({
  attempt: z.number(), startedAt: z.date(), durationMs: z.number(), responseStatus: z.number().nullable(),
  responseExcerpt: z.string().nullable(), error: z.string().nullable(), succeeded: z.boolean(),
});
export const DeliveryDetailView = DeliveryView.extend({
  payload: z.unknown().describe('The event as sent: `{id, type, occurredAt, workspaceId, data}`'),
  history: z.array(AttemptView),
});

export type WebhookWire = Wire<z.infer<typeof WebhookView>>;
export type WithSecretWire = Wire<z.infer<typeof WithSecret>>;
export type DeliveryWire = Wire<z.infer<typeof DeliveryView>>;
