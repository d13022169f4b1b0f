import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../errors.js';
import {
  LocalSubscribers,
  createEvent,
  parseEvent,
  type DomainEvent,
  type EventBus,
  type EventHandler,
  type EventLogger,
  type EventName,
  type EventPayload,
  type SubscribeOptions,
} from './event-bus.js';

export interface RedisBusOptions {
  url: string;
  /** Pub/sub channel; default 'kefu:events'. Instances sharing it see each other's events. */
  channel?: string;
  log: EventLogger;
  /** Give up connecting at start after this long; default 5000. */
  connectTimeoutMs?: number;
}

/** What goes over the channel. `origin` lets an instance skip its own messages. */
interface WireMessage {
  v: 1;
  origin: string;
  event: DomainEvent;
}

/**
 * Events shared by every instance over Redis pub/sub: one publishing and one subscribed
 * connection (a subscribed connection can do nothing else). Each instance delivers each event
 * once to its own subscribers: the publisher delivers locally at once and skips its own message
 * when Redis echoes it back; the others deliver what arrives on the channel.
 *
 * Pub/sub is fire-and-forget: an instance that is disconnected while an event passes misses it.
 * Events are for reacting (realtime pushes, cache hints); work that must happen goes through jobs.
 */
export async function createRedisBus(opts: RedisBusOptions): Promise<EventBus> {
  const channel = opts.channel ?? 'kefu:events';
  const log = opts.log;
  const instanceId = randomUUID();
  const connectTimeout = opts.connectTimeoutMs ?? 5000;
  const where = { redis: redactUrl(opts.url), channel };
  let connected = false;
  let closed = false;
  let lastError: unknown;

  const options = (role: string): RedisOptions => ({
    lazyConnect: true,
    connectTimeout,
    // Visible in CLIENT LIST; the instance id is the `origin` of its messages.
    connectionName: `kefu-events-${role}-${instanceId}`,
    // ioredis retries forever by default; at start that would hang, so the first failure is final.
    // Once running, reconnect with capped back-off.
    retryStrategy: (attempt) => (connected && !closed ? Math.min(attempt * 200, 5000) : null),
    // A publish waits through at most two reconnect attempts, then fails (and is logged).
    maxRetriesPerRequest: 2,
  });

  let pub: Redis;
  let sub: Redis;
  try {
    pub = new Redis(opts.url, options('pub'));
    sub = new Redis(opts.url, options('sub'));
  } catch (err) {
    throw new AppError('REDIS_UNREACHABLE', 503, 'The Redis URL is not valid', where, { cause: err });
  }
  for (const [role, client] of [['pub', pub], ['sub', sub]] as const) {
    client.on('error', (err: unknown) => {
      lastError = err;
      if (connected && !closed) log.warn({ err, role, ...where }, 'event bus: Redis connection error');
    });
  }

  try {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${connectTimeout} ms`)), connectTimeout + 500);
    });
    try {
      await Promise.race([Promise.all([pub.connect(), sub.connect()]).then(() => sub.subscribe(channel)), deadline]);
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    pub.disconnect();
    sub.disconnect();
    throw new AppError('REDIS_UNREACHABLE', 503, 'Redis is unreachable', where, { cause: lastError ?? err });
  }
  connected = true;
  log.info({ ...where, instanceId }, 'event bus connected to Redis');

  const subscribers = new LocalSubscribers(log);

  sub.on('message', (from: string, raw: string) => {
    if (from !== channel || closed) return;
    const message = parseMessage(raw);
    if (!message) {
      log.warn({ ...where, sample: raw.slice(0, 200) }, 'event bus: ignored an invalid message');
      return;
    }
    if (message.origin === instanceId) return; // delivered locally when published
    void subscribers.deliver(message.event);
  });
  sub.on('ready', () => {
    if (connected && !closed) log.info(where, 'event bus: Redis connection ready');
  });

  const announce = async (event: DomainEvent): Promise<void> => {
    const wire: WireMessage = { v: 1, origin: instanceId, event };
    const remote = pub.publish(channel, JSON.stringify(wire)).catch((err: unknown) => {
      // Local subscribers have it; other instances miss this one. The caller's work is done
      // and committed, so this is logged rather than thrown.
      log.error({ err, eventId: event.id, eventType: event.type, ...where }, 'event bus: publish to Redis failed');
    });
    await Promise.all([subscribers.deliver(event), remote]);
  };
  const assertOpen = () => {
    if (closed) throw new AppError('EVENT_BUS_CLOSED', 500, 'The event bus is closed');
  };

  return {
    async publish<K extends EventName>(type: K, workspaceId: string, payload: EventPayload<K>): Promise<DomainEvent<K>> {
      assertOpen();
      const event = createEvent(type, workspaceId, payload, false);
      await announce(event as DomainEvent);
      return event;
    },
    async transaction(db, work) {
      assertOpen();
      const published: DomainEvent[] = [];
      const result = await db.transaction().execute((trx) => work(trx, {
        publish(type, workspaceId, payload) {
          const event = createEvent(type, workspaceId, payload, false);
          published.push(event as DomainEvent);
          return event;
        },
      }));
      for (const event of published) await announce(event);
      return result;
    },
    subscribe(type: string, handler: EventHandler, options?: SubscribeOptions): () => void {
      return subscribers.subscribe(type, handler, options);
    },
    async drain(): Promise<void> {},
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      subscribers.clear();
      sub.disconnect();
      // QUIT lets queued publishes go out; a connection that is down gets cut instead.
      const quit = pub.quit().then(() => undefined, () => undefined);
      const cut = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
      await Promise.race([quit, cut]);
      pub.disconnect();
    },
  };
}

function parseMessage(raw: string): WireMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.v !== 1 || typeof m.origin !== 'string') return undefined;
  const event = parseEvent(m.event);
  return event ? { v: 1, origin: m.origin, event } : undefined;
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
