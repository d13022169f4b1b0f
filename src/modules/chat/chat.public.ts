import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../core/errors.js';
import { chooseLocale, translator } from '../../core/i18n/index.js';
import { html } from '../../core/html/html.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import type { TicketsService } from '../tickets/index.js';
import type { ChatChannels } from './chat.channels.js';
import { chatErrors } from './chat.errors.js';
import { CHAT_LIMITS, CHAT_RATING } from '../../contracts/chat.js';
import { chatFileMultipart, receiveChatFile } from './chat.uploads.js';
import type { ChatConversations } from './chat.conversations.js';
import type { ChatLog } from './chat.log.js';
import { transcriptLinks, visitorTokens } from './chat.tokens.js';
import { ErrorView, IdParams } from '../../contracts/http.js';

export interface ChatPublicOptions {
  chat: { conversations: ChatConversations; log: ChatLog };
  channels: ChatChannels;
  tickets: TicketsService;
  store: AttachmentStore;
  attachmentMaxBytes: number;
}

const WidgetConfigView = z.object({
  workspace: z.object({ slug: z.string(), name: z.string() }),
  departments: z.array(z.object({ id: z.string(), name: z.record(z.string(), z.string()) })),
  available: z.boolean(),
  closedReason: z.enum(['hours', 'nobody']).nullable(),
  opensAt: z.iso.datetime().nullable(),
  limits: z.object({ messageBytes: z.number(), messagesPerWindow: z.number(), rateWindowMs: z.number(), clientMessageIdPattern: z.string(), uploadBytes: z.number() }),
});
const Accepted = z.object({ conversationId: z.string(), ticketId: z.string(), ticketNumber: z.number(), status: z.string(), seq: z.number().nullable() });
const RatingBody = z.strictObject({
  score: z.coerce.number().int().min(CHAT_RATING.min).max(CHAT_RATING.max),
  comment: z.string().max(CHAT_RATING.commentChars).optional(),
});
const RatingView = z.object({ score: z.number(), comment: z.string().nullable(), ratedAt: z.string() });
const Contact = z.strictObject({
  from: z.string().trim().min(1).max(120),
  name: z.string().trim().min(1).max(120).optional(),
  text: z.string().min(1).refine((t) => Buffer.byteLength(t, 'utf8') <= CHAT_LIMITS.messageBytes, 'at most 4096 bytes'),
  externalId: z.string().min(1).max(200),
  locale: z.enum(['en', 'zh-CN']).optional(),
});

/**
 * Routes outside the console's request context, each authenticating itself: the widget's
 * configuration (public), visitors' files (the visitor token), and contacts posted by webhook
 * channels (the channel's HMAC signature over the raw body).
 */
export const chatPublicRoutes = (options: ChatPublicOptions): FastifyPluginAsyncZod => async (app) => {
  const { chat: { conversations, log }, channels, store } = options;
  const signer = { sign: (v: string) => app.signCookie(v), unsign: (v: string) => app.unsignCookie(v) };
  const tokens = visitorTokens(signer, conversations.clock);
  const transcripts = transcriptLinks(signer, conversations.clock);

  /** The conversation a visitor token proves (Authorization: Bearer, or ?token= for downloads). */
  function visitorSession(request: FastifyRequest, conversationId: string): { workspaceId: string; sessionId: string } {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? (request.query as { token?: string } | undefined)?.token;
    const claim = tokens.verify(bearer);
    if (!claim) throw chatErrors.tokenInvalid();
    // A valid token of one conversation opens no other, whatever id the path names.
    if (claim.sessionId !== conversationId) throw chatErrors.conversationNotFound();
    return claim;
  }

  app.get('/api/v1/chat/widget/:workspace', {
    config: { rateLimit: { max: 300, timeWindow: '1 minute' } },
    schema: {
      tags: ['chat'], summary: 'What the widget needs before a chat: departments for the pre-chat form, whether anyone can answer now, limits',
      params: z.object({ workspace: z.string().min(1).max(64) }),
      response: { 200: WidgetConfigView, 404: ErrorView },
    },
  }, async (request, reply) => {
    reply.header('access-control-allow-origin', '*');
    return conversations.widgetConfig(request.params.workspace) as Promise<z.infer<typeof WidgetConfigView>>;
  });

  app.get('/chat/transcript', {
    config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: {
      tags: ['chat'], summary: 'The link mailed to a visitor who asked for the transcript: confirms the address, and the transcript is mailed there (once per chat)',
      querystring: z.object({ token: z.string().max(300).optional() }),
    },
  }, async (request, reply) => {
    const claim = transcripts.verify(request.query.token);
    const session = claim ? await log.findSession(claim.workspaceId, claim.sessionId) : undefined;
    const locale = session ? await conversations.sendTranscript(session.workspace_id, session.id) : chooseLocale(null, request.headers['accept-language'], 'en');
    const t = translator(locale);
    const text = session ? t('chat.transcriptPage.sent', { number: session.ticket_number }) : t('chat.transcriptPage.invalid');
    return reply.code(session ? 200 : 404).type('text/html; charset=utf-8')
      .send(`<!doctype html>${html`<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${t('chat.title')}</title><link rel="stylesheet" href="/assets/portal.css"></head><body><main class="wrap"><h1>${t('chat.title')}</h1><p>${text}</p></main></body></html>`}`);
  });

  await app.register(async (plugin) => {
    const uploads = plugin.withTypeProvider<ZodTypeProvider>();
    await chatFileMultipart(plugin, options.attachmentMaxBytes);

    uploads.post('/api/v1/chat/conversations/:id/files', {
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['chat'], summary: 'A visitor sends a file into their chat (multipart: `file`, optional `clientMessageId`); Authorization: Bearer <visitor token>',
        params: IdParams, response: { 201: z.object({ message: z.unknown() }), 400: ErrorView, 401: ErrorView, 404: ErrorView, 409: ErrorView, 413: ErrorView, 415: ErrorView },
      },
    }, async (request, reply) => {
      reply.header('access-control-allow-origin', '*');
      const { workspaceId, sessionId } = visitorSession(request, request.params.id);
      await log.sessionOf(workspaceId, sessionId);
      const message = await receiveChatFile(request, store, (file, clientMessageId) => conversations.visitorMessage(workspaceId, sessionId, { clientMessageId, text: '', files: [file] }));
      return reply.code(201).send({ message });
    });
  });

  app.post('/api/v1/chat/conversations/:id/rating', {
    config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: {
      tags: ['chat'],
      summary: 'The visitor rates a chat an agent answered, once, within a day of its end (JSON or form: score 1–5, optional comment); the visitor token as Bearer or ?token=',
      description: 'Refused with 409 CONVERSATION_ACTIVE while the chat goes on, ALREADY_RATED the second time, RATING_CLOSED when nobody answered it or the window has passed.',
      params: IdParams, querystring: z.object({ token: z.string().max(300).optional() }), body: RatingBody,
      response: { 201: z.object({ rating: RatingView }), 400: ErrorView, 401: ErrorView, 404: ErrorView, 409: ErrorView },
    },
  }, async (request, reply) => {
    // Sent as a form with the token in the query, it is a "simple" request: no CORS preflight from the host site.
    reply.header('access-control-allow-origin', '*');
    const { workspaceId, sessionId } = visitorSession(request, request.params.id);
    const rating = await conversations.rate(workspaceId, sessionId, { score: request.body.score, comment: request.body.comment ?? null });
    return reply.code(201).send({ rating });
  });

  app.get('/api/v1/chat/conversations/:id/files/:attachmentId', {
    schema: {
      tags: ['chat'], summary: 'A visitor downloads a file of their own chat (?token=<visitor token>); agents use /api/v1/attachments/:id',
      params: z.object({ id: z.string().uuid(), attachmentId: z.string().uuid() }),
      querystring: z.object({ token: z.string().max(300).optional() }),
      response: { 401: ErrorView, 404: ErrorView },
    },
  }, async (request, reply) => {
    const { workspaceId, sessionId } = visitorSession(request, request.params.id);
    const session = await log.sessionOf(workspaceId, sessionId);
    const attachment = await options.tickets.attachment(workspaceId, request.params.attachmentId);
    // Only files of this chat's ticket, never an internal note's.
    if (attachment.ticket_id !== session.ticket_id || attachment.kind === 'note') throw notFound('attachment');
    return store.send(reply, attachment);
  });

  await app.register(async (plugin) => {
    const contacts = plugin.withTypeProvider<ZodTypeProvider>();
    // The signature covers the exact bytes sent, so the body is kept as text and parsed after the check.
    contacts.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));

    contacts.post('/api/v1/channels/webhook/:channelId/contacts', {
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
      schema: {
        tags: ['chat'], summary: 'A channel\'s system posts a contact (JSON: from, name?, text, externalId, locale?), signed with `Kefu-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`',
        params: z.object({ channelId: z.string().max(64) }),
        response: { 202: Accepted, 400: ErrorView, 401: ErrorView, 409: ErrorView },
      },
    }, async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const signature = request.headers['kefu-signature'];
      const channel = await channels.verify(request.params.channelId, raw, Array.isArray(signature) ? signature[0] : signature);
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw chatErrors.validation('The body is not JSON');
      }
      const parsed = Contact.safeParse(json);
      if (!parsed.success) throw chatErrors.validation('The contact is not valid', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      return reply.code(202).send(await channels.receive(channel, parsed.data));
    });
  });
};
