import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server, type Namespace, type Socket } from 'socket.io';
import { z } from 'zod';
import { AppError, rateLimited } from '../../core/errors.js';
import { chooseLocale, translator, type Locale } from '../../core/i18n/index.js';
import type { Logger } from '../../core/logger.js';
import { COOKIE, type AccountsService } from '../../modules/accounts/index.js';
import {
  AGENT_NAMESPACE, CHAT_ERROR_CODES, CHAT_LIMITS, CHAT_SOCKET_PATH, VISITOR_NAMESPACE,
  type Ack, type AgentToServer, type ChatError, type ChatErrorCode, type ServerToAgent, type ServerToVisitor, type VisitorToServer,
} from '../../contracts/chat.js';
import { transcriptLinks, visitorTokens, type ChatNotifier, type ChatServices } from '../../modules/chat/index.js';
import { clientAddress, startLimiter, type StartLimits, type TrustProxy } from './chat.limits.js';
import type { RealtimeHost } from './realtime.js';

/**
 * Live chat over Socket.IO (protocol: `src/contracts/chat.ts`): the `/visitor`
 * namespace for the widget on any website, the `/agent` namespace for the console. No business
 * rules here: validate, rate-limit, call the chat's conversations or queue, answer the ack; they
 * push through the notifier below (rooms per conversation and per agent, across nodes with Redis).
 */

interface VisitorData {
  workspaceId: string;
  locale: Locale;
  sessionId: string | null;
  sent: number[];
}
interface AgentData {
  workspaceId: string;
  agent: { id: string; name: string };
  locale: Locale;
  sent: number[];
}
type VisitorSocket = Socket<VisitorToServer, ServerToVisitor, Record<string, never>, VisitorData>;
type AgentSocket = Socket<AgentToServer, ServerToAgent, Record<string, never>, AgentData>;

export interface ChatSocketDeps {
  /** The Fastify app: its cookie signer (the app secret) signs visitor tokens. */
  http: RealtimeHost & { signCookie(value: string): string };
  accounts: Pick<AccountsService, 'agentForSession'>;
  /** The parts the sockets call: what visitors and agents do, the queue, the conversations' record, and the pushes they register for. */
  chat: Pick<ChatServices, 'conversations' | 'queue' | 'log' | 'push'>;
  log: Logger;
  /** With REDIS_URL: rooms span every web node through the Socket.IO Redis adapter. */
  redis?: Redis;
  publicUrl: string;
  /** The app's `trustProxy`: the client address chats are counted by comes from the same hops as `request.ip`. */
  trustProxy?: TrustProxy;
  /** Starts per address and per visitor (default START_LIMITS). */
  startLimits?: StartLimits;
}

export interface ChatSockets {
  io: Server;
  close(): Promise<void>;
}

const conversationRoom = (workspaceId: string, sessionId: string) => `chat:${workspaceId}:${sessionId}`;
const agentRoom = (workspaceId: string, agentId: string) => `chat-agent:${workspaceId}:${agentId}`;
const agentsRoom = (workspaceId: string) => `chat-agents:${workspaceId}`;

// ---- payload schemas (strict: unknown keys are refused) -----------------------------------------

const ClientMessageId = z.string().regex(new RegExp(CHAT_LIMITS.clientMessageIdPattern));
const Text = z.string().max(CHAT_LIMITS.messageBytes * 4); // bytes are checked exactly by the service
const Seq = z.number().int().min(0).max(2_147_483_647);
const ConversationId = z.string().max(64);
const Empty = z.strictObject({}).optional().transform(() => ({}));
const PreChat = z.strictObject({
  name: z.string().trim().min(1).max(120),
  email: z.string().trim().max(254).email(),
  departmentId: z.string().uuid().optional(),
  text: Text.optional(),
  clientMessageId: ClientMessageId.optional(),
});
const VisitorMessage = z.strictObject({ clientMessageId: ClientMessageId, text: Text });
const Typing = z.strictObject({ typing: z.boolean() });
const ReadUpTo = z.strictObject({ seq: Seq });
const Sync = z.strictObject({ sinceSeq: Seq });
const Suggest = z.strictObject({ text: z.string().trim().min(1).max(CHAT_LIMITS.messageBytes) });
const Presence = z.strictObject({ presence: z.enum(['online', 'away', 'on_break', 'offline']) });
const OnConversation = z.strictObject({ conversationId: ConversationId });
const AgentMessage = z.strictObject({ conversationId: ConversationId, clientMessageId: ClientMessageId, text: Text });
const AgentTyping = z.strictObject({ conversationId: ConversationId, typing: z.boolean() });
const AgentRead = z.strictObject({ conversationId: ConversationId, seq: Seq });
const AgentSync = z.strictObject({ conversationId: ConversationId, sinceSeq: Seq });
const Transfer = z.strictObject({
  conversationId: ConversationId,
  to: z.union([z.strictObject({ agentId: z.string().uuid() }), z.strictObject({ departmentId: z.string().uuid() })]),
});
const VisitorAuth = z.object({
  workspace: z.string().min(1).max(64),
  token: z.string().max(300).optional(),
  locale: z.string().max(20).optional(),
});

/** Attaches the chat sockets to the app's HTTP server (beside `/realtime`); closes with it. Call before `listen`. */
export function attachChat(deps: ChatSocketDeps): ChatSockets {
  const { http, chat: { conversations, queue, log: chatLog, push }, log } = deps;
  const signer = { sign: (v: string) => http.signCookie(v), unsign: (v: string) => http.unsignCookie(v) };
  const tokens = visitorTokens(signer, conversations.clock);
  const transcripts = transcriptLinks(signer, conversations.clock);
  const publicHost = new URL(deps.publicUrl).host;
  const starts = startLimiter({ ...(deps.redis ? { redis: deps.redis } : {}), ...(deps.startLimits ? { limits: deps.startLimits } : {}) });

  const io = new Server(http.server, {
    path: CHAT_SOCKET_PATH,
    transports: ['websocket'],
    serveClient: false,
    // A message is at most 4 kB of text; a frame far beyond that is not a chat message: the
    // connection is dropped before the JSON is even parsed.
    maxHttpBufferSize: 64 * 1024,
    // The widget runs on customers' websites: any Origin may open the visitor namespace (the
    // agent namespace checks Origin itself).
  });

  let subClient: Redis | undefined;
  if (deps.redis) {
    subClient = deps.redis.duplicate();
    io.adapter(createAdapter(deps.redis, subClient, { key: 'kefu-chat' }));
  }
  const visitors = io.of(VISITOR_NAMESPACE) as unknown as Namespace<VisitorToServer, ServerToVisitor, Record<string, never>, VisitorData>;
  const agents = io.of(AGENT_NAMESPACE) as unknown as Namespace<AgentToServer, ServerToAgent, Record<string, never>, AgentData>;

  const notifier: ChatNotifier = {
    toVisitor: (workspaceId, conversationId, event, ...args) => {
      (visitors.to(conversationRoom(workspaceId, conversationId)).emit as (e: string, ...a: unknown[]) => void)(event, ...args);
    },
    toAgent: (workspaceId, agentId, event, ...args) => {
      (agents.to(agentRoom(workspaceId, agentId)).emit as (e: string, ...a: unknown[]) => void)(event, ...args);
    },
    toAgents: (workspaceId, event, ...args) => {
      (agents.to(agentsRoom(workspaceId)).emit as (e: string, ...a: unknown[]) => void)(event, ...args);
    },
    // With Redis the room spans nodes this one cannot see: someone may be listening elsewhere.
    agentsListening: (workspaceId) => Boolean(deps.redis) || agents.adapter.rooms.has(agentsRoom(workspaceId)),
  };
  push.useNotifier(notifier);

  /** Turns anything thrown into the protocol's error (in the connection's language); unknown errors are logged. */
  function toChatError(error: unknown, locale: Locale): ChatError {
    const t = translator(locale);
    if (error instanceof AppError) {
      const code: ChatErrorCode = (CHAT_ERROR_CODES as readonly string[]).includes(error.code)
        ? error.code as ChatErrorCode
        : error.code === 'TICKET_CLOSED' ? 'CONVERSATION_ENDED'
        : error.code === 'AGENT_NOT_FOUND' ? 'AGENT_UNAVAILABLE'
        : error.status >= 500 ? 'UNAVAILABLE' : 'VALIDATION_FAILED';
      return { code, message: t(`chat.errors.${code}`), ...(error.details !== undefined ? { details: error.details } : {}) };
    }
    log.error({ err: error }, 'chat socket: request failed');
    return { code: 'UNAVAILABLE', message: t('chat.errors.UNAVAILABLE') };
  }

  /** One handler shape for every event: parse strictly, run, answer the ack (if the client gave one). */
  function handler<S extends z.ZodTypeAny, R extends object>(socket: { data: { locale: Locale } }, schema: S, work: (body: z.infer<S>) => Promise<R>) {
    return async (body: unknown, ack?: unknown) => {
      const answer = typeof ack === 'function' ? ack as (a: Ack<R>) => void : () => {};
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        const t = translator(socket.data.locale);
        return answer({ ok: false, error: { code: 'VALIDATION_FAILED', message: t('chat.errors.VALIDATION_FAILED'), details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } });
      }
      try {
        answer({ ok: true, ...(await work(parsed.data)) });
      } catch (error) {
        answer({ ok: false, error: toChatError(error, socket.data.locale) });
      }
    };
  }

  /** A sliding window per connection: at most N messages per window, the rest refused (not queued). */
  function admitMessage(socket: { data: { sent: number[] } }): void {
    const now = Date.now();
    const recent = socket.data.sent.filter((at) => now - at < CHAT_LIMITS.rateWindowMs);
    if (recent.length >= CHAT_LIMITS.messagesPerWindow) {
      socket.data.sent = recent;
      throw rateLimited('Too many messages', { retryAfterMs: CHAT_LIMITS.rateWindowMs - (now - recent[0]!) });
    }
    recent.push(now);
    socket.data.sent = recent;
  }

  // ---- visitors ---------------------------------------------------------------------------

  visitors.use((socket, next) => {
    const auth = VisitorAuth.safeParse(socket.handshake.auth);
    if (!auth.success) return next(new Error('WORKSPACE_UNKNOWN'));
    conversations.workspaceBySlug(auth.data.workspace).then(async (workspace) => {
      socket.data.workspaceId = workspace.id;
      socket.data.locale = chooseLocale(auth.data.locale, socket.handshake.headers['accept-language'], workspace.default_locale);
      socket.data.sessionId = null;
      socket.data.sent = [];
      if (auth.data.token !== undefined) {
        const claim = tokens.verify(auth.data.token);
        // A token of another workspace, or a forged one, names nothing here.
        if (!claim || claim.workspaceId !== workspace.id) return next(new Error('TOKEN_INVALID'));
        await chatLog.sessionOf(workspace.id, claim.sessionId);
        socket.data.sessionId = claim.sessionId;
      }
      next();
    }).catch((error: unknown) => {
      if (error instanceof AppError) return next(new Error(error.code === 'CONVERSATION_NOT_FOUND' ? 'TOKEN_INVALID' : error.code));
      log.error({ err: error }, 'chat socket: visitor handshake failed');
      next(new Error('UNAVAILABLE'));
    });
  });

  visitors.on('connection', (socket: VisitorSocket) => {
    const { workspaceId } = socket.data;
    if (socket.data.sessionId) {
      void socket.join(conversationRoom(workspaceId, socket.data.sessionId));
      void conversations.visitorPresence(workspaceId, socket.data.sessionId, true).catch((error: unknown) => log.warn({ err: error }, 'chat: visitor presence failed'));
    }
    socket.on('disconnect', () => {
      const id = socket.data.sessionId;
      if (!id) return;
      // Gone only when no widget of this conversation is left on any node (other tabs, a reconnect elsewhere).
      visitors.in(conversationRoom(workspaceId, id)).fetchSockets()
        .then((left) => (left.length ? undefined : conversations.visitorPresence(workspaceId, id, false)))
        .catch((error: unknown) => log.warn({ err: error }, 'chat: visitor presence failed'));
    });
    const sessionId = () => {
      if (!socket.data.sessionId) throw new AppError('UNAUTHENTICATED', 401, 'Start a chat first');
      return socket.data.sessionId;
    };

    socket.on('chat:start', handler(socket, PreChat, async (form) => {
      if (socket.data.sessionId) {
        const current = await chatLog.conversation(workspaceId, socket.data.sessionId);
        if (['queued', 'offered', 'active'].includes(current.conversation.status)) throw new AppError('CONVERSATION_ACTIVE', 409, 'A chat is open');
        await socket.leave(conversationRoom(workspaceId, socket.data.sessionId));
      }
      await starts.admit(workspaceId, clientAddress(socket.request, deps.trustProxy), form.email);
      // The connection is the requester: a start id sent on another connection never finds this chat.
      const started = await conversations.start(workspaceId, form, socket.data.locale, socket.id);
      socket.data.sessionId = started.conversation.id;
      await socket.join(conversationRoom(workspaceId, started.conversation.id));
      // The chat may have been offered, answered or taken offline before this socket joined its
      // room: answer with the state as it is now, and push the queue positions again.
      const now = await chatLog.conversation(workspaceId, started.conversation.id);
      await queue.pushQueuePositions(workspaceId);
      // Bot-first deflection: help-centre answers to the question, pushed while the visitor waits.
      if (form.text?.trim() && (now.conversation.status === 'queued' || now.conversation.status === 'offered')) {
        void conversations.suggest(workspaceId, now.conversation.id, form.text, socket.data.locale);
      }
      return { token: tokens.issue(workspaceId, started.conversation.id), ...now };
    }));

    socket.on('chat:sync', handler(socket, Sync, async ({ sinceSeq }) => {
      const synced = await chatLog.conversation(workspaceId, sessionId(), sinceSeq);
      if (synced.conversation.status === 'queued' || synced.conversation.status === 'offered') await queue.pushQueuePositions(workspaceId);
      return synced;
    }));

    socket.on('chat:message', handler(socket, VisitorMessage, async (body) => {
      const id = sessionId();
      admitMessage(socket);
      return { message: await conversations.visitorMessage(workspaceId, id, body) };
    }));

    socket.on('chat:typing', handler(socket, Typing, async ({ typing }) => {
      await conversations.typing(workspaceId, sessionId(), 'visitor', typing);
      return {};
    }));

    socket.on('chat:read', handler(socket, ReadUpTo, async ({ seq }) => {
      await conversations.read(workspaceId, sessionId(), 'visitor', seq);
      return {};
    }));

    socket.on('chat:suggest', handler(socket, Suggest, async ({ text }) => ({ answers: await conversations.suggest(workspaceId, sessionId(), text, socket.data.locale) })));

    socket.on('chat:transcript', handler(socket, Empty, async () => {
      admitMessage(socket);
      const id = sessionId();
      await conversations.requestTranscript(workspaceId, id, `${deps.publicUrl}/chat/transcript?token=${encodeURIComponent(transcripts.issue(workspaceId, id))}`);
      return {};
    }));

    socket.on('chat:end', handler(socket, Empty, async () => ({ conversation: await conversations.visitorEnd(workspaceId, sessionId()) })));
  });

  // ---- agents -----------------------------------------------------------------------------

  agents.use((socket, next) => {
    // Cross-site WebSocket hijacking: a page elsewhere could open this socket with the agent's cookie.
    const origin = socket.handshake.headers.origin;
    if (origin) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch { /* refused below */ }
      const hosts = [socket.handshake.headers.host, firstHeader(socket.handshake.headers['x-forwarded-host']), publicHost];
      if (!originHost || !hosts.includes(originHost)) return next(new Error('ORIGIN_FORBIDDEN'));
    }
    const header = socket.handshake.headers.cookie;
    const raw = header ? http.parseCookie(header)[COOKIE.agent] : undefined;
    const unsigned = raw ? http.unsignCookie(raw) : undefined;
    if (!unsigned?.valid || !unsigned.value) return next(new Error('UNAUTHENTICATED'));
    deps.accounts.agentForSession(unsigned.value).then((found) => {
      if (!found) return next(new Error('UNAUTHENTICATED'));
      socket.data.workspaceId = found.workspace.id;
      socket.data.agent = { id: found.agent.id, name: found.agent.name };
      socket.data.locale = found.agent.locale ?? found.workspace.default_locale;
      socket.data.sent = [];
      next();
    }, (error: unknown) => {
      log.error({ err: error }, 'chat socket: agent session check failed');
      next(new Error('UNAVAILABLE'));
    });
  });

  agents.on('connection', (socket: AgentSocket) => {
    const { workspaceId } = socket.data;
    const agentId = socket.data.agent.id;
    void socket.join([agentRoom(workspaceId, agentId), agentsRoom(workspaceId)]);

    socket.on('agent:state', handler(socket, Empty, async () => ({ state: await queue.agentState(workspaceId, agentId) })));
    socket.on('agent:presence', handler(socket, Presence, async ({ presence }) => ({ state: await queue.setPresence(workspaceId, agentId, presence) })));
    socket.on('agent:accept', handler(socket, OnConversation, async ({ conversationId }) => queue.accept(workspaceId, agentId, conversationId)));
    socket.on('agent:decline', handler(socket, OnConversation, async ({ conversationId }) => ({ next: await queue.decline(workspaceId, agentId, conversationId) })));
    socket.on('agent:message', handler(socket, AgentMessage, async (body) => {
      admitMessage(socket);
      return { message: await conversations.agentMessage(workspaceId, agentId, body) };
    }));
    socket.on('agent:typing', handler(socket, AgentTyping, async ({ conversationId, typing }) => {
      await conversations.typing(workspaceId, conversationId, 'agent', typing, agentId);
      return {};
    }));
    socket.on('agent:read', handler(socket, AgentRead, async ({ conversationId, seq }) => {
      await conversations.read(workspaceId, conversationId, 'agent', seq, agentId);
      return {};
    }));
    socket.on('agent:sync', handler(socket, AgentSync, async ({ conversationId, sinceSeq }) => conversations.agentConversation(workspaceId, agentId, conversationId, sinceSeq)));
    socket.on('agent:transfer', handler(socket, Transfer, async ({ conversationId, to }) => ({ conversation: await queue.transfer(workspaceId, agentId, conversationId, to) })));
    socket.on('agent:end', handler(socket, OnConversation, async ({ conversationId }) => conversations.agentEnd(workspaceId, agentId, conversationId)));
    socket.on('agent:ready', handler(socket, Empty, async () => ({ state: await queue.ready(workspaceId, agentId) })));
  });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    push.close();
    io.local.disconnectSockets(true);
    visitors.local.disconnectSockets(true);
    agents.local.disconnectSockets(true);
    // Not io.close(): that would also close the HTTP server, which Fastify owns.
    io.engine.close();
    await Promise.all([io.of('/').adapter.close(), visitors.adapter.close(), agents.adapter.close()]);
    await subClient?.quit().catch(() => subClient?.disconnect());
  };
  http.addHook('preClose', close);
  return { io, close };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
}
