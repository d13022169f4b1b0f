import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';

/** The bus port. Adapters: `in-process-bus.ts` (default) and `redis-bus.ts` (REDIS_URL set). */

export interface DomainEvent<T = unknown> {
  id: string;
  /** noun.verb, past tense: ticket.created */
  type: string;
  workspaceId: string;
  payload: T;
  /** ISO 8601 */
  occurredAt: string;
}

export type EventHandler = (event: DomainEvent) => void | Promise<void>;

export interface SubscribeOptions {
  subscriber?: string;
}

export interface EventBus {
  /** Resolves after every local handler has settled; handler failures are logged, never thrown. */
  publish<T>(type: string, workspaceId: string, payload: T): Promise<DomainEvent<T>>;
  /**
   * `type` is an exact event type or '*' for all. Returns the unsubscribe function. A module's
   * subscriptions pass `subscriber` (`${module}:${event}`), the stable id a durable bus keys them by.
   */
  subscribe(type: string, handler: EventHandler, options?: SubscribeOptions): () => void;
  close(): Promise<void>;
}

/** pino's Logger fits; so does a test double. */
export interface EventLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export function isEventType(type: unknown): type is string {
  return typeof type === 'string' && type.length <= 100 && EVENT_TYPE.test(type);
}

/**
 * Builds the event every subscriber sees. The payload goes through JSON and is frozen, so local
 * handlers get what remote instances get (a Date becomes a string) and none can alter it for the next.
 */
export function createEvent<T>(type: string, workspaceId: string, payload: T): DomainEvent<T> {
  if (!isEventType(type)) {
    throw new AppError('EVENT_TYPE_INVALID', 500, 'Event types are lower-case noun.verb, e.g. ticket.created', { type });
  }
  if (typeof workspaceId !== 'string' || workspaceId === '') {
    throw new AppError('EVENT_WORKSPACE_REQUIRED', 500, 'Every event carries its workspaceId', { type });
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (err) {
    throw new AppError('EVENT_PAYLOAD_INVALID', 500, 'Event payloads must be JSON-serialisable', { type }, { cause: err });
  }
  const event: DomainEvent<T> = {
    id: randomUUID(),
    type,
    workspaceId,
    payload: (json === undefined ? null : JSON.parse(json)) as T,
    occurredAt: new Date().toISOString(),
  };
  return deepFreeze(event);
}

/** The shape check for events that arrive from outside this process. */
export function parseEvent(value: unknown): DomainEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  if (typeof e.id !== 'string' || e.id === '') return undefined;
  if (!isEventType(e.type)) return undefined;
  if (typeof e.workspaceId !== 'string' || e.workspaceId === '') return undefined;
  if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt))) return undefined;
  if (!('payload' in e)) return undefined;
  return deepFreeze({ id: e.id, type: e.type, workspaceId: e.workspaceId, payload: e.payload, occurredAt: e.occurredAt });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

interface Subscription {
  type: string;
  handler: EventHandler;
}

/**
 * This process' subscribers. A handler that throws or rejects is logged and changes nothing for
 * the publisher or the other handlers.
 */
export class LocalSubscribers {
  private subscriptions: Subscription[] = [];

  constructor(private readonly log: EventLogger) {}

  subscribe(type: string, handler: EventHandler): () => void {
    if (type !== '*' && !isEventType(type)) {
      throw new AppError('EVENT_TYPE_INVALID', 500, "Subscribe to a noun.verb event type or '*'", { type });
    }
    if (typeof handler !== 'function') throw new AppError('EVENT_HANDLER_INVALID', 500, 'subscribe() needs a handler function');
    const subscription: Subscription = { type, handler };
    this.subscriptions = [...this.subscriptions, subscription];
    return () => {
      this.subscriptions = this.subscriptions.filter((s) => s !== subscription);
    };
  }

  clear(): void {
    this.subscriptions = [];
  }

  async deliver(event: DomainEvent): Promise<void> {
    // A snapshot: handlers that (un)subscribe during delivery affect the next event, not this one.
    const targets = this.subscriptions.filter((s) => s.type === event.type || s.type === '*');
    const results = targets.map(async (s) => s.handler(event));
    const settled = await Promise.allSettled(results);
    settled.forEach((result, i) => {
      if (result.status === 'rejected') {
        this.log.error(
          { err: result.reason, eventId: event.id, eventType: event.type, workspaceId: event.workspaceId, subscription: targets[i]!.type },
          'event handler failed',
        );
      }
    });
  }
}
