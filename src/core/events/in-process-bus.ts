import { AppError } from '../errors.js';
import {
  LocalSubscribers, createEvent, type DomainEvent, type EventBus, type EventHandler, type EventLogger, type EventName,
  type EventPayload, type SubscribeOptions,
} from './event-bus.js';

/**
 * One process, no durability: events are delivered to every handler (durable or not) right after
 * the publishing transaction commits, and `publish` resolves once they have settled. For tests
 * and one-off commands, so payloads are always checked against the catalogue; the server uses the outbox bus.
 */
export function createInProcessBus(log: EventLogger): EventBus {
  const subscribers = new LocalSubscribers(log);
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new AppError('EVENT_BUS_CLOSED', 500, 'The event bus is closed');
  };
  return {
    async publish<K extends EventName>(type: K, workspaceId: string, payload: EventPayload<K>): Promise<DomainEvent<K>> {
      assertOpen();
      const event = createEvent(type, workspaceId, payload, true);
      await subscribers.deliver(event as DomainEvent);
      return event;
    },
    async transaction(db, work) {
      assertOpen();
      const published: DomainEvent[] = [];
      const result = await db.transaction().execute((trx) => work(trx, {
        publish(type, workspaceId, payload) {
          const event = createEvent(type, workspaceId, payload, true);
          published.push(event as DomainEvent);
          return event;
        },
      }));
      for (const event of published) await subscribers.deliver(event);
      return result;
    },
    subscribe(type: string, handler: EventHandler, options?: SubscribeOptions): () => void {
      return subscribers.subscribe(type, handler, options);
    },
    async drain(): Promise<void> {},
    async close(): Promise<void> {
      closed = true;
      subscribers.clear();
    },
  };
}
