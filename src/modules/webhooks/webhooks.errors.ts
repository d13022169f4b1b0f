import { errorOf } from '../../core/errors.js';

/** Every error the webhooks module throws on purpose: code → HTTP status (the shared ones are in core/errors.ts). */
export const webhookErrors = {
  webhookDeliveryInProgress: errorOf('WEBHOOK_DELIVERY_IN_PROGRESS', 409),
  webhookInactive: errorOf('WEBHOOK_INACTIVE', 409),
  webhookLimitReached: errorOf('WEBHOOK_LIMIT_REACHED', 409),
  webhookTargetForbidden: errorOf('WEBHOOK_TARGET_FORBIDDEN', 400),
};
