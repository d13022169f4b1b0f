/** The webhooks module's public face; see README.md. */
export { WebhooksRepo } from './webhooks.repo.js';
export { WebhooksService, type WebhooksOptions } from './webhooks.service.js';
export { webhooksRoutes } from './webhooks.routes.js';
export { registerWebhookWorkers } from './webhooks.jobs.js';
export { verifySignature } from './webhooks.signature.js';
export { WEBHOOK_EVENT_TYPES, type WebhooksTables } from './webhooks.schema.js';
