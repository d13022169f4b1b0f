/**
 * Domain events: the bus port and its two adapters. See README.md for naming, delivery
 * guarantees and what belongs in a handler.
 */
export type { DomainEvent, EventBus, EventHandler, SubscribeOptions } from './event-bus.js';
export { createInProcessBus } from './in-process-bus.js';
export { createRedisBus } from './redis-bus.js';
