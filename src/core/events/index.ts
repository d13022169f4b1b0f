/**
 * Domain events: the bus port and its adapters. See README.md for naming, delivery
 * guarantees and what belongs in a handler. Event names and payloads: src/contracts/events.ts.
 */
export type {
  BatchedHandler, BatchHandler, DomainEvent, EventBus, EventHandler, EventName, EventPayload, EventWriter, PublishOptions, SubscribeOptions, Subscriptions,
} from './event-bus.js';
export { eventsByWorkspace } from './event-bus.js';
export { createInProcessBus } from './in-process-bus.js';
export { createOutboxBus, type OutboxBus, type SubscriberState, type LoggedEvent } from './outbox-bus.js';
export { redactEventPayloads } from './redact.js';
