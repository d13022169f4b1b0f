import { createAdapter } from '@socket.io/redis-adapter';
import type { Server as NodeHttpServer } from 'node:http';
import type {} from '@fastify/cookie';
import type { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import { isUuid } from '../../contracts/http.js';
import type { DomainEvent, EventBus } from '../../core/events/index.js';
import type { Logger } from '../../core/logger.js';
import { COOKIE } from '../../modules/accounts/index.js';
import type { AccountsService } from '../../modules/accounts/index.js';

/**
 * Realtime pushes for the agent console over Socket.IO (see README.md in this folder):
 * domain events of the agent's own workspace, and who else has a ticket open.
 */

export const REALTIME_PATH = '/realtime';

/** Only these reach the console; anything else on the bus (workspace.created, sla internals …) stays server-side. */
const PUSHED_EVENT_PREFIXES = ['ticket.', 'message.'] as const;
/** Never pushed even if a publisher adds them later: events announce, the REST API serves content. */
const WITHHELD_PAYLOAD_KEYS = new Set(['body', 'bodyText', 'bodyHtml', 'body_text', 'body_html']);

export interface Viewer {
  agentId: string;
  name: string;
  /** True while this agent has an unsent reply or note for the ticket. */
  composing: boolean;
}

export interface PushedEvent {
  id: string;
  type: string;
  occurredAt: string;
  payload: unknown;
}

interface ServerToClient {
  'ticket:viewers': (body: { ticketId: string; viewers: Viewer[] }) => void;
  [eventType: `ticket.${string}` | `message.${string}`]: (event: PushedEvent) => void;
}
interface ClientToServer {
  'ticket:viewing': (body: { ticketId?: unknown }, ack?: (answer: { viewers: Viewer[] } | { error: string }) => void) => void;
  'ticket:left': (body: { ticketId?: unknown }) => void;
  'ticket:composing': (body: { ticketId?: unknown; composing?: unknown }) => void;
}
interface SocketData {
  agent: { id: string; name: string };
  workspaceId: string;
  /** The ticket this connection has open (one per tab) and whether a reply is being written. */
  viewing: string | null;
  composing: boolean;
}
type AgentSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

/** What realtime needs of the Fastify app (with @fastify/cookie registered). */
export interface RealtimeHost {
  /** Carries the sockets next to the HTTP routes. */
  server: NodeHttpServer;
  parseCookie(header: string): Record<string, string | undefined>;
  unsignCookie(value: string): { valid: boolean; value: string | null };
  addHook(name: 'preClose', hook: () => Promise<void>): unknown;
}

export interface RealtimeDeps {
  http: RealtimeHost;
  accounts: Pick<AccountsService, 'agentForSession'>;
  bus: EventBus;
  log: Logger;
  /**
   * Set when REDIS_URL is: ticket rooms then span every web node through the Socket.IO Redis
   * adapter, so two agents on different nodes see each other. Domain events never use it: the
   * bus already brings every event to every node, and each node pushes to its own sockets.
   */
  redis?: Redis;
  /** The public address; a browser's Origin must match it or the Host it connected to. */
  publicUrl: string;
  /** How often a connection's session is checked again, so a sign-out or disabled agent ends it. */
  revalidateMs?: number;
}

export interface Realtime {
  io: Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>;
  close(): Promise<void>;
}

const workspaceRoom = (workspaceId: string) => `workspace:${workspaceId}`;
// The workspace is part of the name: the same ticket id sent from another workspace is another room.
const ticketRoom = (workspaceId: string, ticketId: string) => `ticket:${workspaceId}:${ticketId}`;

/** Attaches Socket.IO to the app's HTTP server and closes with it (`app.close()`). Call before `listen`. */
export function attachRealtime(deps: RealtimeDeps): Realtime {
  const { http, accounts, bus, log } = deps;
  const revalidateMs = deps.revalidateMs ?? 5 * 60_000;
  const publicHost = new URL(deps.publicUrl).host;

  const io = new Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>(http.server, {
    path: REALTIME_PATH,
    transports: ['websocket'],
    serveClient: false,
    // The console sends a few small control messages; nothing needs more than this.
    maxHttpBufferSize: 16 * 1024,
    // Cross-site WebSocket hijacking: a page elsewhere can open a socket with the agent's cookie;
    // browsers always send Origin, so it must be this site. Non-browser clients send none.
    allowRequest: (request, callback) => {
      const origin = request.headers.origin;
      if (!origin) return callback(null, true);
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        return callback('ORIGIN_FORBIDDEN', false);
      }
      const hosts = [request.headers.host, firstHeader(request.headers['x-forwarded-host']), publicHost];
      callback(hosts.includes(originHost) ? null : 'ORIGIN_FORBIDDEN', hosts.includes(originHost));
    },
  });

  let subClient: Redis | undefined;
  if (deps.redis) {
    subClient = deps.redis.duplicate();
    io.adapter(createAdapter(deps.redis, subClient, { key: 'kefu-realtime' }));
  }

  const sessionOf = (socket: AgentSocket): string | undefined => {
    const header = socket.request.headers.cookie;
    if (!header) return undefined;
    const raw = http.parseCookie(header)[COOKIE.agent];
    if (!raw) return undefined;
    const unsigned = http.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? unsigned.value : undefined;
  };

  // The same resolution as HTTP requests: a signed session cookie naming a live session of an active agent.
  io.use((socket, next) => {
    const token = sessionOf(socket);
    if (!token) return next(new Error('UNAUTHENTICATED'));
    accounts.agentForSession(token).then((found) => {
      if (!found) return next(new Error('UNAUTHENTICATED'));
      socket.data.agent = { id: found.agent.id, name: found.agent.name };
      socket.data.workspaceId = found.workspace.id;
      socket.data.viewing = null;
      socket.data.composing = false;
      next();
    }, (error: unknown) => {
      log.error({ err: error }, 'realtime: session check failed');
      next(new Error('UNAVAILABLE'));
    });
  });

  const timers = new Set<NodeJS.Timeout>();

  io.on('connection', (socket) => {
    const { workspaceId } = socket.data;
    void socket.join(workspaceRoom(workspaceId));

    const token = sessionOf(socket);
    // Spread the checks so a restart's reconnect wave doesn't re-check everyone at the same moment.
    const timer = setInterval(() => {
      if (!token) return void socket.disconnect(true);
      accounts.agentForSession(token).then((found) => {
        if (!found || found.workspace.id !== workspaceId) socket.disconnect(true);
      }, (error: unknown) => log.warn({ err: error }, 'realtime: session re-check failed; keeping the connection'));
    }, revalidateMs + Math.floor(Math.random() * Math.min(revalidateMs, 30_000)));
    timer.unref();
    timers.add(timer);

    socket.on('ticket:viewing', async (body, ack) => {
      const ticketId = typeof body?.ticketId === 'string' && isUuid(body.ticketId) ? body.ticketId.toLowerCase() : undefined;
      if (!ticketId) return ack?.({ error: 'VALIDATION_FAILED' });
      const previous = socket.data.viewing;
      // Set before any await: a `ticket:composing` right behind this message must find it.
      socket.data.viewing = ticketId;
      socket.data.composing = false;
      if (previous && previous !== ticketId) {
        await socket.leave(ticketRoom(workspaceId, previous));
        await announce(workspaceId, previous);
      }
      await socket.join(ticketRoom(workspaceId, ticketId));
      const viewers = await announce(workspaceId, ticketId);
      ack?.({ viewers });
    });

    socket.on('ticket:left', async (body) => {
      if (typeof body?.ticketId === 'string' && body.ticketId.toLowerCase() === socket.data.viewing) {
        await leave(socket, socket.data.viewing);
      }
    });

    socket.on('ticket:composing', async (body) => {
      const ticketId = socket.data.viewing;
      const composing = body?.composing === true;
      if (!ticketId || typeof body?.ticketId !== 'string' || body.ticketId.toLowerCase() !== ticketId) return;
      if (socket.data.composing === composing) return;
      socket.data.composing = composing;
      await announce(workspaceId, ticketId);
    });

    socket.on('disconnect', () => {
      clearInterval(timer);
      timers.delete(timer);
      // The socket has already left its rooms: telling the others is all that is left to do.
      if (socket.data.viewing) void announce(workspaceId, socket.data.viewing);
    });
  });

  async function leave(socket: AgentSocket, ticketId: string): Promise<void> {
    socket.data.viewing = null;
    socket.data.composing = false;
    await socket.leave(ticketRoom(socket.data.workspaceId, ticketId));
    await announce(socket.data.workspaceId, ticketId);
  }

  /** Tells everyone with the ticket open who has it open (one entry per agent, however many tabs). */
  async function announce(workspaceId: string, ticketId: string): Promise<Viewer[]> {
    const room = ticketRoom(workspaceId, ticketId);
    try {
      const sockets = await io.in(room).fetchSockets();
      const viewers = new Map<string, Viewer>();
      for (const s of sockets) {
        const { agent, composing } = s.data;
        const known = viewers.get(agent.id);
        viewers.set(agent.id, { agentId: agent.id, name: agent.name, composing: composing || (known?.composing ?? false) });
      }
      const list = [...viewers.values()];
      io.to(room).emit('ticket:viewers', { ticketId, viewers: list });
      return list;
    } catch (error) {
      // With Redis, a node that doesn't answer in time: presence is a courtesy, never an error for the agent.
      log.warn({ err: error, ticketId }, 'realtime: presence update failed');
      return [];
    }
  }

  const unsubscribe = bus.subscribe('*', (event: DomainEvent) => {
    if (!PUSHED_EVENT_PREFIXES.some((prefix) => event.type.startsWith(prefix))) return;
    // `local`: every node hears every event from the bus and pushes to its own sockets only.
    io.local.to(workspaceRoom(event.workspaceId)).emit(event.type as `ticket.${string}`, {
      id: event.id, type: event.type, occurredAt: event.occurredAt, payload: withoutBodies(event.payload),
    });
  });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const timer of timers) clearInterval(timer);
    timers.clear();
    io.local.disconnectSockets(true);
    // Not io.close(): that would also close the HTTP server, which Fastify owns and closes itself.
    io.engine.close();
    await io.of('/').adapter.close();
    // QUIT after the adapter's unsubscribes, which are still queued: disconnect() would reject them.
    await subClient?.quit().catch(() => subClient?.disconnect());
  };
  // Before Fastify waits for connections to end: open websockets would otherwise hold the close.
  http.addHook('preClose', close);

  return { io, close };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
}

function withoutBodies(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !WITHHELD_PAYLOAD_KEYS.has(key)));
}
