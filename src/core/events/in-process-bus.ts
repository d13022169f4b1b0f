import { AppError } from '../errors.js';
import { LocalSubscribers, createEvent, type DomainEvent, type EventBus, type EventHandler, type EventLogger } from './event-bus.js';

/** The default bus: one process, no broker. */
export function createInProcessBus(log: EventLogger): EventBus {
  const subscribers = new LocalSubscribers(log);
  let closed = false;
  return {
    async publish<T>(type: string, workspaceId: string, payload: T): Promise<DomainEvent<T>> {
      if (closed) throw new AppError('EVENT_BUS_CLOSED', 500, 'The event bus is closed');
      const event = createEvent(type, workspaceId, payload);
      await subscribers.deliver(event);
      return event;
    },
    subscribe(type: string, handler: EventHandler): () => void {
      return subscribers.subscribe(type, handler);
    },
    async close(): Promise<void> {
      closed = true;
      subscribers.clear();
    },
  };
}
