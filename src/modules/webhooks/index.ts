/** The webhooks module's public face and manifest; see README.md. */
import type { DomainEvent } from '../../core/events/index.js';
import { defineModule } from '../../core/module.js';
import { registerWebhookWorkers } from './webhooks.jobs.js';
import { webhooksRoutes } from './webhooks.routes.js';
import { WEBHOOK_EVENT_TYPES } from './webhooks.schema.js';
import type { WebhooksService } from './webhooks.service.js';

export { WebhooksService, type WebhooksOptions } from './webhooks.service.js';
export { webhooksRoutes } from './webhooks.routes.js';
export { registerWebhookWorkers } from './webhooks.jobs.js';
export { verifySignature } from './webhooks.signature.js';
export { webhookCustomerEraser } from './webhooks.erasure.js';
export { WEBHOOK_EVENT_TYPES, type WebhooksTables } from './webhooks.schema.js';

export const webhooksModule = defineModule<{ webhooks: WebhooksService }>({
  name: 'webhooks',
  routes: ({ services }) => [webhooksRoutes(services.webhooks)],
  workers: ({ webhooks }, jobs) => registerWebhookWorkers(webhooks, jobs),
  // Every event a workspace can subscribe a webhook to is queued for delivery.
  subscriptions: ({ webhooks }) => Object.fromEntries(WEBHOOK_EVENT_TYPES.map((type) => [type, (event: DomainEvent) => webhooks.enqueue(event)])),
});

export { postJson } from './webhooks.sender.js';
export { newWebhookSecret, signatureHeader } from './webhooks.signature.js';
