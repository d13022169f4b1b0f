import { IANAZone } from 'luxon';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, unauthenticated } from '../../core/errors.js';
import { locales } from '../../core/i18n/index.js';
import { COOKIE, actorOf, actsAsAdmin, issueCsrfToken, requireAgent, sessionCookieOptions } from './accounts.http.js';
import { emailOfBody, signInLimits } from './accounts.limits.js';
import type { AccountsService } from './accounts.service.js';
import { API_TOKEN_SCOPES, type ApiTokenScope, type WorkspaceRow } from './accounts.schema.js';
import { ErrorView, IdParams } from '../../contracts/http.js';

const Email = z.string().trim().toLowerCase().email().max(254);
const Password = z.string().min(10, 'at least 10 characters').max(200);
const Locale = z.enum(locales);
const Role = z.enum(['admin', 'agent', 'editor']);
const LocalizedName = z.strictObject({ en: z.string().trim().min(1).max(120), 'zh-CN': z.string().trim().min(1).max(120) });

const AgentView = z.object({
  id: z.string(), email: z.string(), name: z.string(), role: Role, locale: Locale.nullable(),
  disabled: z.boolean().optional(),
});
const WorkspaceView = z.object({ id: z.string(), slug: z.string(), name: z.string(), defaultLocale: Locale, timeZone: z.string() });
const SessionView = z.object({ agent: AgentView, workspace: WorkspaceView, csrfToken: z.string() });
const ApiTokenView = z.object({
  id: z.string(), name: z.string(), agentId: z.string(), scopes: z.array(z.enum(API_TOKEN_SCOPES)),
  expiresAt: z.date().nullable(), parentId: z.string().nullable(), createdAt: z.date(), lastUsedAt: z.date().nullable(),
});
const apiTokenView = (t: { id: string; name: string; agent_id: string; scopes: ApiTokenScope[]; expires_at: Date | null; parent_id: string | null; created_at: Date; last_used_at: Date | null }) => ({
  id: t.id, name: t.name, agentId: t.agent_id, scopes: t.scopes, expiresAt: t.expires_at, parentId: t.parent_id, createdAt: t.created_at, lastUsedAt: t.last_used_at,
});

const workspaceView = (w: WorkspaceRow, locale: z.infer<typeof Locale>) =>
  ({ id: w.id, slug: w.slug, name: w.name[locale], defaultLocale: w.default_locale, timeZone: w.time_zone });

const agentView = (a: { id: string; email: string; name: string; role: z.infer<typeof Role>; locale: z.infer<typeof Locale> | null; disabled_at?: Date | null }) =>
  ({ id: a.id, email: a.email, name: a.name, role: a.role, locale: a.locale, ...(a.disabled_at !== undefined ? { disabled: !!a.disabled_at } : {}) });

export const accountsRoutes = (accounts: AccountsService, options: { secureCookies: boolean; loginAttemptsPer15Min: number; loginAttemptsPerIpPer15Min: number }): FastifyPluginAsyncZod =>
  async (app) => {
    const signInLimit = signInLimits(app, { perAccount: options.loginAttemptsPer15Min, perIp: options.loginAttemptsPerIpPer15Min }, emailOfBody);
    const sessionView = (request: FastifyRequest, agent: Parameters<typeof agentView>[0]) => {
      const locale = agent.locale ?? request.locale;
      return { agent: agentView(agent), workspace: workspaceView(request.workspace, locale), csrfToken: request.csrfToken };
    };

    app.post('/auth/login', {
      onRequest: signInLimit.onRequest,
      preHandler: signInLimit.preHandler,
      schema: {
        tags: ['auth'], summary: 'Sign an agent in (sets the session cookie)',
        body: z.strictObject({ email: Email, password: z.string().min(1).max(200) }),
        response: { 200: SessionView, 401: ErrorView, 429: ErrorView },
      },
    }, async (request, reply) => {
      const { agent, sessionToken } = await accounts.signInAgent(request.workspace.id, request.body.email, request.body.password);
      reply.setCookie(COOKIE.agent, sessionToken, sessionCookieOptions(options.secureCookies));
      issueCsrfToken(request, reply, options.secureCookies);
      return sessionView(request, agent);
    });

    app.get('/auth/me', {
      schema: { tags: ['auth'], summary: 'The signed-in agent', response: { 200: SessionView, 401: ErrorView } },
    }, async (request) => {
      if (!request.agent) throw unauthenticated();
      return sessionView(request, request.agent);
    });

    app.patch('/auth/me', {
      preHandler: requireAgent(),
      schema: { tags: ['auth'], summary: 'Change the signed-in agent\'s language', body: z.strictObject({ locale: Locale }), response: { 200: SessionView } },
    }, async (request) => {
      const agent = await accounts.setAgentLocale(request.workspace.id, request.agent!.id, request.body.locale);
      return sessionView(request, agent);
    });

    app.post('/auth/logout', { schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null() } } },
      async (request, reply: FastifyReply) => {
        const raw = request.cookies[COOKIE.agent];
        const token = raw ? request.unsignCookie(raw) : undefined;
        if (token?.valid && token.value) await accounts.closeSession(token.value);
        reply.clearCookie(COOKIE.agent, { path: '/' });
        return reply.code(204).send(null);
      });

    app.post('/auth/password-reset', {
      schema: {
        tags: ['auth'], summary: 'E-mail an agent a password reset link (always 202)',
        body: z.strictObject({ email: Email }), response: { 202: z.object({ accepted: z.literal(true) }) },
      },
      config: { rateLimit: { max: options.loginAttemptsPer15Min, timeWindow: '15 minutes' } },
    }, async (request, reply) => {
      await accounts.requestPasswordReset(request.workspace.id, 'agent', request.body.email, request.locale);
      return reply.code(202).send({ accepted: true as const });
    });

    app.post('/auth/password-reset/confirm', {
      schema: {
        tags: ['auth'], summary: 'Set a new password with a reset token',
        body: z.strictObject({ token: z.string().min(10).max(200), password: Password }), response: { 204: z.null(), 400: ErrorView },
      },
      config: { rateLimit: { max: options.loginAttemptsPer15Min, timeWindow: '15 minutes' } },
    }, async (request, reply) => {
      await accounts.resetPassword(request.workspace.id, 'agent', request.body.token, request.body.password, { ip: request.ip });
      return reply.code(204).send(null);
    });

    app.get('/workspace', {
      preHandler: requireAgent(),
      schema: { tags: ['workspace'], summary: 'This workspace', response: { 200: WorkspaceView } },
    }, async (request) => workspaceView(request.workspace, request.locale));

    app.patch('/workspace', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['workspace'], summary: 'Change this workspace\'s settings (admin)',
        body: z.strictObject({ name: LocalizedName.optional(), defaultLocale: Locale.optional(), timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'unknown time zone').optional() }),
        response: { 200: WorkspaceView },
      },
    }, async (request) => workspaceView(await accounts.updateWorkspace(request.workspace.id, request.body, actorOf(request)), request.locale));

    app.get('/agents', {
      preHandler: requireAgent(),
      schema: { tags: ['agents'], summary: 'Agents of this workspace', response: { 200: z.object({ agents: z.array(AgentView) }) } },
    }, async (request) => ({ agents: (await accounts.listAgents(request.workspace.id)).map(agentView) }));

    app.get('/agents/:id', {
      preHandler: requireAgent(),
      schema: { tags: ['agents'], summary: 'One agent', params: IdParams, response: { 200: AgentView, 404: ErrorView } },
    }, async (request) => agentView(await accounts.agent(request.workspace.id, request.params.id)));

    app.post('/agents', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['agents'], summary: 'Add an agent (admin)',
        body: z.strictObject({ email: Email, name: z.string().trim().min(1).max(120), role: Role, password: Password, locale: Locale.optional() }),
        response: { 201: AgentView, 409: ErrorView },
      },
    }, async (request, reply) => reply.code(201).send(agentView(await accounts.createAgent(request.workspace.id, request.body, actorOf(request)))));

    app.patch('/agents/:id', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['agents'], summary: 'Rename, change the role of, or disable an agent (admin)', params: IdParams,
        body: z.strictObject({ name: z.string().trim().min(1).max(120).optional(), role: Role.optional(), disabled: z.boolean().optional() }),
        response: { 200: AgentView, 404: ErrorView, 409: ErrorView },
      },
    }, async (request) => agentView(await accounts.updateAgent(request.workspace.id, request.params.id, request.body, actorOf(request))));

    app.get('/api-tokens', {
      preHandler: requireAgent(),
      schema: {
        tags: ['api-tokens'],
        summary: 'Your live API tokens; an admin (with the admin scope on a token) may list another agent\'s (`agentId`) or everyone\'s (`agentId=all`)',
        querystring: z.strictObject({ agentId: z.union([z.literal('all'), z.string().uuid()]).optional() }),
        response: { 200: z.object({ tokens: z.array(ApiTokenView) }), 403: ErrorView },
      },
    }, async (request) => {
      const { agentId = request.agent!.id } = request.query;
      if (agentId !== request.agent!.id && !actsAsAdmin(request)) throw forbidden('Only admins may list other agents\' tokens');
      return { tokens: (await accounts.listApiTokens(request.workspace.id, agentId === 'all' ? undefined : agentId)).map(apiTokenView) };
    });

    app.post('/api-tokens', {
      preHandler: requireAgent(),
      schema: {
        tags: ['api-tokens'],
        summary: 'Create an API token; its secret is shown only in this response',
        description: 'Scopes: `read` (GET requests; always granted), `write` (every other method), `admin` (routes only admins may use; admins only). '
          + 'Default: `read` only. A token made with another token gets no scope its parent lacks, no later expiry (default: the parent\'s), and is revoked with it.',
        body: z.strictObject({
          name: z.string().trim().min(1).max(80),
          scopes: z.array(z.enum(API_TOKEN_SCOPES)).min(1).max(API_TOKEN_SCOPES.length).default(['read']),
          expiresAt: z.string().datetime({ offset: true }).transform((value) => new Date(value)).optional(),
        }),
        response: { 201: ApiTokenView.extend({ token: z.string() }), 400: ErrorView, 403: ErrorView },
      },
    }, async (request, reply) => {
      const created = await accounts.createApiToken(request.workspace.id, request.agent!.id, request.body.name, actorOf(request),
        { scopes: request.body.scopes, expiresAt: request.body.expiresAt, parent: request.apiToken });
      return reply.code(201).send({ ...apiTokenView(created), token: created.token });
    });

    app.delete('/api-tokens/:id', {
      preHandler: requireAgent(),
      schema: {
        tags: ['api-tokens'], summary: 'Revoke an API token and every token made with it: your own, or anyone\'s as an admin',
        params: IdParams, response: { 204: z.null(), 404: ErrorView },
      },
    }, async (request, reply) => {
      await accounts.revokeApiToken(request.workspace.id, actsAsAdmin(request) ? null : request.agent!.id, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    });

    app.get('/audit-log', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['audit'], summary: 'Admin actions, newest first (keyset pages: pass the last id as `before`)',
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.coerce.number().int().positive().optional() }),
        response: {
          200: z.object({
            entries: z.array(z.object({
              id: z.number(), actorType: z.string(), actorId: z.string().nullable(), action: z.string(),
              targetType: z.string().nullable(), targetId: z.string().nullable(), details: z.record(z.string(), z.unknown()),
              ip: z.string().nullable(), createdAt: z.date(),
            })),
          }),
        },
      },
    }, async (request) => ({
      entries: (await accounts.listAudit(request.workspace.id, request.query.limit, request.query.before)).map((e) => ({
        id: e.id, actorType: e.actor_type, actorId: e.actor_id, action: e.action, targetType: e.target_type,
        targetId: e.target_id, details: e.details, ip: e.ip, createdAt: e.created_at,
      })),
    }));
  };
