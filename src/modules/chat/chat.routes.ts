import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import type { ChatConversations } from './chat.conversations.js';
import { chatFileMultipart, receiveChatFile } from './chat.uploads.js';
import { z } from 'zod';
import { actorOf, requireAgent } from '../accounts/index.js';
import type { ChatChannels } from './chat.channels.js';
import { CHANNEL_KINDS, type ChannelRow } from './chat.schema.js';
import type { ChatLog } from './chat.log.js';
import type { ChatMetricsService } from './chat.metrics.js';
import type { ChatSettingsService } from './chat.settings.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import { ChatSettingsPatch, ChatSettingsView } from '../../contracts/chat-settings.js';


const ConversationView = z.object({
  id: z.string(), ticketId: z.string(), ticketNumber: z.number(), status: z.string(), departmentId: z.string().nullable(),
  agent: z.object({ id: z.string(), name: z.string() }).nullable(), visitor: z.object({ name: z.string(), email: z.string() }),
  lastSeq: z.number(), queuedAt: z.string(), answeredAt: z.string().nullable(), endedAt: z.string().nullable(),
  transfers: z.number(), source: z.string(),
  rating: z.object({ score: z.number(), comment: z.string().nullable(), ratedAt: z.string() }).nullable().optional(),
});
const MessageView = z.object({
  conversationId: z.string(), seq: z.number(), messageId: z.string().nullable(), clientMessageId: z.string().nullable(),
  author: z.object({ type: z.string(), id: z.string().nullable(), name: z.string() }), text: z.string(),
  attachments: z.array(z.object({ id: z.string(), filename: z.string(), contentType: z.string(), sizeBytes: z.number(), url: z.string() })),
  createdAt: z.string(),
});
const MetricsView = z.object({
  from: z.string(), to: z.string(), departmentId: z.string().nullable(), agentId: z.string().nullable(), serviceLevelSeconds: z.number(),
  offered: z.number(), answered: z.number(), abandoned: z.number(), offline: z.number(), abandonRate: z.number().nullable(),
  serviceLevel: z.number().nullable(), averageSpeedOfAnswerSeconds: z.number().nullable(), averageHandleSeconds: z.number().nullable(),
  averageAcwSeconds: z.number().nullable(), transfers: z.number(), transferRate: z.number().nullable(), loggedInHours: z.number(),
  costPerContact: z.number().nullable(), rated: z.number(), averageRating: z.number().nullable(),
});
const WallboardView = z.object({
  at: z.string(), waiting: z.number(), longestWaitSeconds: z.number(),
  agents: z.object({ online: z.number(), away: z.number(), on_break: z.number(), offline: z.number(), acw: z.number() }),
  serviceLevelToday: z.number().nullable(), offeredToday: z.number(), answeredToday: z.number(), abandonedToday: z.number(),
  offlineToday: z.number(),
  missedToday: z.array(z.object({
    conversationId: z.string(), ticketNumber: z.number(), visitorName: z.string(), reason: z.enum(['abandoned', 'offline']),
    queuedAt: z.string(), waitedSeconds: z.number(),
  })),
  queues: z.array(z.object({ departmentId: z.string(), waiting: z.number(), longestWaitSeconds: z.number() })),
  ratedToday: z.number(), averageRatingToday: z.number().nullable(),
});
const ChannelView = z.object({
  id: z.string(), name: z.string(), kind: z.enum(CHANNEL_KINDS), outboundUrl: z.string().nullable(), departmentId: z.string().nullable(),
  enabled: z.boolean(), createdAt: z.date(), contactsUrl: z.string(),
});
const NewChannel = z.strictObject({
  name: z.string().trim().min(1).max(120),
  kind: z.enum(CHANNEL_KINDS),
  outboundUrl: z.string().url().max(2000).refine((u) => /^https?:\/\//.test(u), 'must be http(s)').nullable().default(null),
  departmentId: z.string().uuid().nullable().default(null),
});
const Instant = z.string().datetime({ offset: true }).transform((s) => new Date(s));

const channelView = (c: ChannelRow) => ({
  id: c.id, name: c.name, kind: c.kind, outboundUrl: c.outbound_url, departmentId: c.department_id, enabled: c.enabled, createdAt: c.created_at,
  contactsUrl: `/api/v1/channels/webhook/${c.id}/contacts`,
});

/** Agents' and admins' chat routes (under the request context: session or API token, CSRF on writes). */
export const chatRoutes = (
  chat: { log: ChatLog; metrics: ChatMetricsService; settings: ChatSettingsService; conversations: ChatConversations },
  channels: ChatChannels,
  files: { store: AttachmentStore; attachmentMaxBytes: number },
): FastifyPluginAsyncZod => async (app) => {
  const anyAgent = { preHandler: requireAgent() };
  const adminOnly = { preHandler: requireAgent('admin') };

  // Multipart in its own plugin; the request context's CSRF check (a header) has run before the body is read.
  await app.register(async (plugin) => {
    await chatFileMultipart(plugin, files.attachmentMaxBytes);
    plugin.withTypeProvider<ZodTypeProvider>().post('/chat/conversations/:id/agent-files', {
      ...anyAgent,
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['chat'],
        summary: 'The agent holding a chat sends a file into it (multipart: `file`, optional `clientMessageId`); the visitor gets it with a link only their token opens',
        description: 'The same size and type checks as ticket attachments: 413 ATTACHMENT_TOO_LARGE, 415 ATTACHMENT_TYPE_FORBIDDEN; 409 CONVERSATION_ENDED once the chat has ended; 404 for a chat the agent does not hold.',
        params: IdParams, response: { 201: z.object({ message: MessageView }), 400: ErrorView, 404: ErrorView, 409: ErrorView, 413: ErrorView, 415: ErrorView },
      },
    }, async (request, reply) => {
      const workspaceId = request.workspace.id;
      const agentId = request.agent?.id ?? '';
      // Refused before the file is read and stored: not the agent's chat, or ended.
      await chat.log.heldBy(workspaceId, agentId, request.params.id);
      const message = await receiveChatFile(request, files.store, (file, clientMessageId) =>
        chat.conversations.agentMessage(workspaceId, agentId, { conversationId: request.params.id, clientMessageId, text: '', files: [file] }));
      return reply.code(201).send({ message });
    });
  });

  app.get('/chat/conversations', {
    ...anyAgent,
    schema: {
      tags: ['chat'], summary: 'Live chats of the workspace: waiting (queued, offered) and active',
      querystring: z.strictObject({ status: z.enum(['queued', 'offered', 'active']).array().or(z.enum(['queued', 'offered', 'active']).transform((s) => [s])).optional() }),
      response: { 200: z.object({ conversations: z.array(ConversationView) }) },
    },
  }, async (request) => ({ conversations: await chat.log.liveConversations(request.workspace.id, request.query.status ?? ['queued', 'offered', 'active']) }));

  app.get('/chat/conversations/:id', {
    ...anyAgent,
    schema: { tags: ['chat'], summary: 'One chat with every message', params: IdParams, response: { 200: z.object({ conversation: ConversationView, messages: z.array(MessageView) }), 404: ErrorView } },
  }, async (request) => chat.log.conversation(request.workspace.id, request.params.id));

  app.get('/chat/metrics', {
    ...anyAgent,
    schema: {
      tags: ['chat'], summary: 'Contact-centre figures for a period, per queue (departmentId) and/or agent',
      description: 'Contacts are counted by when they entered the queue (from ≤ queuedAt < to). Service level = answered within the threshold / offered; handle time runs from answer to end; ACW from end to the end of after-contact work; cost per contact = cost per agent hour × logged-in hours / answered.',
      querystring: z.strictObject({ from: Instant, to: Instant, departmentId: z.string().uuid().optional(), agentId: z.string().uuid().optional() })
        .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] }),
      response: { 200: MetricsView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => chat.metrics.metrics(request.workspace.id, request.query));

  app.get('/chat/wallboard', {
    ...anyAgent,
    schema: { tags: ['chat'], summary: 'Live wallboard: waiting now, longest wait, agents by state, today\'s service level', response: { 200: WallboardView } },
  }, async (request) => chat.metrics.wallboard(request.workspace.id));

  app.get('/chat/settings', {
    ...anyAgent,
    schema: { tags: ['chat'], summary: 'Chat settings: offer timeout, ACW, service-level threshold, cost per agent hour, business hours', response: { 200: ChatSettingsView } },
  }, async (request) => chat.settings.get(request.workspace.id));

  app.put('/chat/settings', {
    ...adminOnly,
    schema: { tags: ['chat'], summary: 'Change chat settings (admin)', body: ChatSettingsPatch, response: { 200: ChatSettingsView, 400: ErrorView, 404: ErrorView } },
  }, async (request) => chat.settings.update(request.workspace.id, request.body, actorOf(request)));

  app.get('/channels/webhook', {
    ...adminOnly,
    schema: { tags: ['chat'], summary: 'Webhook channels (SMS, phone systems) that post contacts into the chat queue (admin)', response: { 200: z.object({ channels: z.array(ChannelView) }) } },
  }, async (request) => ({ channels: (await channels.list(request.workspace.id)).map(channelView) }));

  app.post('/channels/webhook', {
    ...adminOnly,
    schema: {
      tags: ['chat'], summary: 'Create a webhook channel; the answer carries its signing secret, shown only this once (admin)',
      body: NewChannel, response: { 201: ChannelView.extend({ secret: z.string() }), 400: ErrorView, 404: ErrorView },
    },
  }, async (request, reply) => {
    const channel = await channels.create(request.workspace.id, request.body, actorOf(request));
    return reply.code(201).send({ ...channelView(channel), secret: channel.secret });
  });

  app.get('/channels/webhook/:id', {
    ...adminOnly,
    schema: { tags: ['chat'], summary: 'One webhook channel (admin)', params: IdParams, response: { 200: ChannelView, 404: ErrorView } },
  }, async (request) => channelView(await channels.get(request.workspace.id, request.params.id)));

  app.patch('/channels/webhook/:id', {
    ...adminOnly,
    schema: {
      tags: ['chat'], summary: 'Change a webhook channel (admin)', params: IdParams,
      body: z.strictObject({
        name: z.string().trim().min(1).max(120).optional(), kind: z.enum(CHANNEL_KINDS).optional(),
        outboundUrl: z.string().url().max(2000).refine((u) => /^https?:\/\//.test(u), 'must be http(s)').nullable().optional(),
        departmentId: z.string().uuid().nullable().optional(), enabled: z.boolean().optional(),
      }),
      response: { 200: ChannelView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => channelView(await channels.update(request.workspace.id, request.params.id, request.body)));

  app.delete('/channels/webhook/:id', {
    ...adminOnly,
    schema: { tags: ['chat'], summary: 'Delete a webhook channel (admin); its conversations stay', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await channels.remove(request.workspace.id, request.params.id);
    return reply.code(204).send(null);
  });
};
