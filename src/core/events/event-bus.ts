import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { EVENT_SCHEMAS, eventPayloadProblems, isEventName, type EventName, type EventPayload } from '../../contracts/events.js';
import { AppError } from '../errors.js';

/** The bus port. Adapters: `in-process-bus.ts` (tests, one-off commands) and `outbox-bus.ts` (the server). */

export type { EventName, EventPayload } from '../../contracts/events.js';

/** One event of the catalogue (src/contracts/events.ts); `DomainEvent` alone is the union of all. */
export type DomainEvent<K extends EventName = EventName> = {
  [N in K]: {
    id: string;
    /** noun.verb, past tense: ticket.created */
    type: N;
    workspaceId: string;
    payload: EventPayload<N>;
    /** ISO 8601 */
    occurredAt: string;
  };
}[K];

export type EventHandler<K extends EventName = EventName> = (event: DomainEvent<K>) => void | Promise<void>;

/**
 * A durable subscriber's handler for several of its events at once (issue 15: set-based after-effects,
 * a few statements per batch instead of several per event). The events come in log order, inside the
 * batch's one transaction (README.md, "Delivery"); the handler must leave exactly what `each` called on
 * them one after another would. If it fails, the bus rolls the batch back and hands its events to
 * `each` one by one, so `each` alone must always be right.
 */
export type BatchHandler<K extends EventName = EventName> = (events: readonly DomainEvent<K>[]) => Promise<void>;

/** A batch's events by workspace, each list in log order: repositories are scoped to one workspace. */
export function eventsByWorkspace<K extends EventName>(events: readonly DomainEvent<K>[]): Map<string, DomainEvent<K>[]> {
  const groups = new Map<string, DomainEvent<K>[]>();
  for (const event of events) {
    const group = groups.get(event.workspaceId);
    if (group) group.push(event);
    else groups.set(event.workspaceId, [event]);
  }
  return groups;
}

/** A handler with its set-based twin; the in-process bus calls `each`. */
export interface BatchedHandler<K extends EventName = EventName> {
  each: EventHandler<K>;
  batch: BatchHandler<K>;
}

/** A module's handlers, one per event it listens to. */
export type Subscriptions = { [K in EventName]?: EventHandler<K> | BatchedHandler<K> };

export interface SubscribeOptions {
  /**
   * A stable id (`${module}:${event}`) makes the subscription durable: it gets every committed
   * event at least once, once per cluster, and records what it handled. Without one the handler
   * is this process' realtime listener: best effort, events committed while it runs.
   */
  subscriber?: string;
  /** A durable subscriber's batch handler (`BatchHandler`), used where the bus hands it several events at once. */
  batch?: BatchHandler;
}

export interface PublishOptions {
  /** Events of one stream (a ticket's id) reach each durable subscriber in the order they were published. */
  stream?: string;
}

/** Publishes inside a transaction: the events exist if and only if the transaction commits. */
export interface EventWriter {
  publish<K extends EventName>(type: K, workspaceId: string, payload: EventPayload<K>, options?: PublishOptions): DomainEvent<K>;
}

export interface EventBus {
  /** An event of its own, committed before this resolves (and delivered in-process before it, by the in-process bus). */
  publish<K extends EventName>(type: K, workspaceId: string, payload: EventPayload<K>, options?: PublishOptions): Promise<DomainEvent<K>>;
  /**
   * Runs `work` in one transaction of `db`; the events it publishes on `events` are written in that
   * transaction and delivered only after it commits.
   */
  transaction<D, T>(db: Kysely<D>, work: (trx: Transaction<D>, events: EventWriter) => Promise<T>): Promise<T>;
  /** `type` is an event name or '*' for all. Returns the unsubscribe function. */
  subscribe<K extends EventName>(type: K, handler: EventHandler<K>, options?: SubscribeOptions): () => void;
  subscribe(type: '*', handler: EventHandler, options?: SubscribeOptions): () => void;
  /**
   * Resolves once every durable subscriber has handled every event committed before the call, and
   * this process' listeners have been handed them.
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** pino's Logger fits; so does a test double. */
export interface EventLogger {
  debug?(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/**
 * Builds the event every subscriber sees. The payload goes through JSON and is frozen, so local
 * handlers get what remote instances get (a Date becomes a string) and none can alter it for the next.
 * `checkPayload`: against the catalogue's schema (in tests; in production the type checker has done it).
 */
export function createEvent<K extends EventName>(type: K, workspaceId: string, payload: EventPayload<K>, checkPayload: boolean): DomainEvent<K> {
  if (!isEventName(type)) {
    throw new AppError('EVENT_TYPE_INVALID', 500, 'Unknown event type: add it to src/contracts/events.ts', { type });
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
  const plain: unknown = json === undefined ? null : JSON.parse(json);
  if (checkPayload) {
    const problems = eventPayloadProblems(type, plain);
    if (problems.length) throw new AppError('EVENT_PAYLOAD_INVALID', 500, `The ${type} payload does not match its schema`, { type, problems });
  }
  const event = { id: randomUUID(), type, workspaceId, payload: plain, occurredAt: new Date().toISOString() } as DomainEvent<K>;
  return deepFreeze(event);
}

/** The shape check for events read back from outside this process (the outbox table). */
export function parseEvent(value: unknown): DomainEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  if (typeof e.id !== 'string' || e.id === '') return undefined;
  if (!isEventName(e.type)) return undefined;
  if (typeof e.workspaceId !== 'string' || e.workspaceId === '') return undefined;
  if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt))) return undefined;
  if (!EVENT_SCHEMAS[e.type].safeParse(e.payload).success) return undefined;
  return deepFreeze({ id: e.id, type: e.type, workspaceId: e.workspaceId, payload: e.payload, occurredAt: e.occurredAt } as DomainEvent);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function assertSubscription(type: string, handler: unknown, options: SubscribeOptions | undefined): void {
  if (type !== '*' && !isEventName(type)) {
    throw new AppError('EVENT_TYPE_INVALID', 500, "Subscribe to an event of src/contracts/events.ts or '*'", { type });
  }
  if (typeof handler !== 'function') throw new AppError('EVENT_HANDLER_INVALID', 500, 'subscribe() needs a handler function');
  const subscriber = options?.subscriber;
  if (options?.batch !== undefined && (typeof options.batch !== 'function' || subscriber === undefined)) {
    throw new AppError('EVENT_HANDLER_INVALID', 500, 'A batch handler is a function, for a durable subscriber');
  }
  if (subscriber !== undefined && (typeof subscriber !== 'string' || !/^[a-z][a-z0-9_.:-]{0,199}$/.test(subscriber))) {
    throw new AppError('EVENT_SUBSCRIBER_INVALID', 500, 'Subscriber ids are lower-case, e.g. sla:ticket.created', { subscriber });
  }
}

interface Subscription {
  type: string;
  handler: EventHandler;
}

/**
 * Handlers run by this process. A handler that throws or rejects is logged and changes nothing for
 * the publisher or the other handlers.
 */
export class LocalSubscribers {
  private subscriptions: Subscription[] = [];

  constructor(private readonly log: EventLogger) {}

  subscribe(type: string, handler: EventHandler, options?: SubscribeOptions): () => void {
    assertSubscription(type, handler, options);
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
