import { IANAZone } from 'luxon';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, unauthenticated } from '../../core/errors.js';
import type { Locale } from '../../core/i18n/index.js';
import { COOKIE, actorOf, actsAsAdmin, issueCsrfToken, requireAgent, sessionCookieOptions } from './accounts.http.js';
import { emailOfBody, mailLinkLimits, signInLimits } from './accounts.limits.js';
import type { AccountsService } from './accounts.service.js';
import type { AgentInvitationRow, AgentRole, ApiTokenScope, WorkspaceRow } from './accounts.schema.js';
import { ErrorView, IdParams, LocaleView } from '../../contracts/http.js';
import {
  AcceptInvitationBody, AgentListView, AgentPatch, AgentView, ApiTokenListView, ApiTokensQuery, AuditPageView, AuditQuery, Email, InvitationListView,
  InvitationPreviewView, InvitationTokenBody, InvitationView, LocaleBody, LoginBody, NewAgent, NewApiToken, NewApiTokenView, NewInvitation, NotificationPreferencesView, Password,
  PasswordChangeBody, SessionView, WorkspaceView,
} from '../../contracts/accounts.js';

const LocalizedName = z.strictObject({ en: z.string().trim().min(1).max(120), 'zh-CN': z.string().trim().min(1).max(120) });

const apiTokenView = (t: { id: string; name: string; agent_id: string; scopes: ApiTokenScope[]; expires_at: Date | null; parent_id: string | null; created_at: Date; last_used_at: Date | null }) => ({
  id: t.id, name: t.name, agentId: t.agent_id, scopes: t.scopes, expiresAt: t.expires_at, parentId: t.parent_id, createdAt: t.created_at, lastUsedAt: t.last_used_at,
});

const workspaceView = (w: WorkspaceRow, locale: Locale) =>
  ({ id: w.id, slug: w.slug, name: w.name[locale], defaultLocale: w.default_locale, timeZone: w.time_zone });

const agentView = (a: { id: string; email: string; name: string; role: AgentRole; locale: Locale | null; disabled_at?: Date | null }) =>
  ({ id: a.id, email: a.email, name: a.name, role: a.role, locale: a.locale, ...(a.disabled_at !== undefined ? { disabled: !!a.disabled_at } : {}) });

const invitationView = (i: Omit<AgentInvitationRow, 'workspace_id' | 'token_hash'>) => ({
  id: i.id, email: i.email, name: i.name, role: i.role, locale: i.locale, invitedBy: i.invited_by,
  createdAt: i.created_at, sentAt: i.sent_at, expiresAt: i.expires_at, expired: i.expires_at <= new Date(),
});

/** The session cookie's token, when the caller came with a valid one. */
function sessionTokenOf(request: FastifyRequest): string | undefined {
  const raw = request.cookies[COOKIE.agent];
  const token = raw ? request.unsignCookie(raw) : undefined;
  return token?.valid && token.value ? token.value : undefined;
}

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
        body: LoginBody,
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
      schema: { tags: ['auth'], summary: 'Change the signed-in agent\'s language', body: LocaleBody, response: { 200: SessionView } },
    }, async (request) => {
      const agent = await accounts.setAgentLocale(request.workspace.id, request.agent!.id, request.body.locale);
      return sessionView(request, agent);
    });

    // Guessing the current password with a session left open is throttled like signing in.
    const passwordChangeLimit = signInLimits(app, { perAccount: options.loginAttemptsPer15Min, perIp: options.loginAttemptsPerIpPer15Min }, (request) => request.agent?.id ?? '');
    app.post('/auth/me/password', {
      onRequest: passwordChangeLimit.onRequest,
      preHandler: [requireAgent(), passwordChangeLimit.preHandler],
      schema: {
        tags: ['auth'], summary: 'Change the signed-in agent\'s password (the current one is required); their other sessions end',
        body: PasswordChangeBody, response: { 204: z.null(), 400: ErrorView, 429: ErrorView },
      },
    }, async (request, reply) => {
      await accounts.changeAgentPassword(request.workspace.id, request.agent!.id, { ...request.body, keepSessionToken: sessionTokenOf(request) }, actorOf(request));
      return reply.code(204).send(null);
    });

    app.get('/auth/me/notifications', {
      preHandler: requireAgent(),
      schema: { tags: ['auth'], summary: 'Which notification mails the signed-in agent gets', response: { 200: NotificationPreferencesView } },
    }, async (request) => accounts.notificationPreferences(request.workspace.id, request.agent!.id));

    app.put('/auth/me/notifications', {
      preHandler: requireAgent(),
      schema: {
        tags: ['auth'], summary: 'Choose which notification mails the signed-in agent gets (assigned to me, customer replied, SLA about to breach)',
        body: NotificationPreferencesView, response: { 200: NotificationPreferencesView },
      },
    }, async (request) => accounts.setNotificationPreferences(request.workspace.id, request.agent!.id, request.body));

    app.post('/auth/logout', { schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null() } } },
      async (request, reply: FastifyReply) => {
        const token = sessionTokenOf(request);
        if (token) await accounts.closeSession(token);
        reply.clearCookie(COOKIE.agent, { path: '/' });
        return reply.code(204).send(null);
      });

    const resetRequestLimit = mailLinkLimits(app, { perAccount: options.loginAttemptsPer15Min, perIp: options.loginAttemptsPerIpPer15Min }, emailOfBody);
    app.post('/auth/password-reset', {
      onRequest: resetRequestLimit.onRequest,
      preHandler: resetRequestLimit.preHandler,
      schema: {
        tags: ['auth'], summary: 'E-mail an agent a password reset link (always 202, whether or not the address has an account)',
        body: z.strictObject({ email: Email }), response: { 202: z.object({ accepted: z.literal(true) }), 429: ErrorView },
      },
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

    const linkLimit = { config: { rateLimit: { max: options.loginAttemptsPer15Min, timeWindow: '15 minutes' } } };
    app.post('/auth/invitation', {
      ...linkLimit,
      schema: {
        tags: ['auth'], summary: 'Who an invitation link invites (before they choose a password)',
        body: InvitationTokenBody, response: { 200: InvitationPreviewView, 400: ErrorView, 409: ErrorView, 410: ErrorView },
      },
    }, async (request) => accounts.previewInvitation(request.workspace.id, request.body.token));

    app.post('/auth/invitation/accept', {
      ...linkLimit,
      schema: {
        tags: ['auth'], summary: 'Accept an invitation: choose a password, become an agent and sign in (sets the session cookie)',
        body: AcceptInvitationBody, response: { 200: SessionView, 400: ErrorView, 409: ErrorView, 410: ErrorView },
      },
    }, async (request, reply) => {
      const { agent, sessionToken } = await accounts.acceptInvitation(request.workspace.id, request.body.token, request.body.password, { ip: request.ip });
      reply.setCookie(COOKIE.agent, sessionToken, sessionCookieOptions(options.secureCookies));
      issueCsrfToken(request, reply, options.secureCookies);
      return sessionView(request, agent);
    });

    app.get('/agent-invitations', {
      preHandler: requireAgent('admin'),
      schema: { tags: ['agents'], summary: 'Open invitations (expired ones too, until resent or withdrawn) (admin)', response: { 200: InvitationListView } },
    }, async (request) => ({ invitations: (await accounts.listInvitations(request.workspace.id)).map(invitationView) }));

    app.post('/agent-invitations', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['agents'], summary: 'Invite an agent by e-mail: they get a one-time link (7 days) to choose a password (admin)',
        body: NewInvitation, response: { 201: InvitationView, 409: ErrorView },
      },
    }, async (request, reply) => reply.code(201).send(invitationView(await accounts.inviteAgent(request.workspace.id, request.body, actorOf(request)))));

    app.post('/agent-invitations/:id/resend', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['agents'], summary: 'Mail an open invitation again with a new link and a new week; the earlier link stops working (admin)',
        params: IdParams, response: { 200: InvitationView, 404: ErrorView },
      },
    }, async (request) => invitationView(await accounts.resendInvitation(request.workspace.id, request.params.id, actorOf(request))));

    app.delete('/agent-invitations/:id', {
      preHandler: requireAgent('admin'),
      schema: { tags: ['agents'], summary: 'Withdraw an open invitation; its link stops working (admin)', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
    }, async (request, reply) => {
      await accounts.revokeInvitation(request.workspace.id, request.params.id, actorOf(request));
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
        body: z.strictObject({ name: LocalizedName.optional(), defaultLocale: LocaleView.optional(), timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'unknown time zone').optional() }),
        response: { 200: WorkspaceView },
      },
    }, async (request) => workspaceView(await accounts.updateWorkspace(request.workspace.id, request.body, actorOf(request)), request.locale));

    const HostnamesView = z.object({ hostnames: z.array(z.string()) });
    app.get('/workspace/hostnames', {
      preHandler: requireAgent('admin'),
      schema: { tags: ['workspace'], summary: 'The host names the portal answers on for this workspace (admin)', response: { 200: HostnamesView } },
    }, async (request) => ({ hostnames: await accounts.hostnames(request.workspace.id) }));

    app.post('/workspace/hostnames', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['workspace'], summary: 'Add a host name the portal answers on (admin)',
        description: 'A DNS name, lower-cased, without scheme, port or path (400 VALIDATION_FAILED, the detail\'s code says which: HOSTNAME_SCHEME, HOSTNAME_PORT, HOSTNAME_PATH, HOSTNAME_INVALID); 409 HOSTNAME_TAKEN when another workspace answers on it, HOSTNAMES_TOO_MANY past 20. Adding one the workspace has changes nothing.',
        body: z.strictObject({ hostname: z.string().max(300) }),
        response: { 201: HostnamesView, 400: ErrorView, 409: ErrorView },
      },
    }, async (request, reply) => reply.code(201).send({ hostnames: await accounts.addHostname(request.workspace.id, request.body.hostname, actorOf(request)) }));

    app.delete('/workspace/hostnames/:hostname', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['workspace'], summary: 'Stop answering on a host name (admin)',
        params: z.object({ hostname: z.string().min(1).max(300) }), response: { 200: HostnamesView, 404: ErrorView },
      },
    }, async (request) => ({ hostnames: await accounts.removeHostname(request.workspace.id, request.params.hostname, actorOf(request)) }));

    app.get('/agents', {
      preHandler: requireAgent(),
      schema: { tags: ['agents'], summary: 'Agents of this workspace', response: { 200: AgentListView } },
    }, async (request) => ({ agents: (await accounts.listAgents(request.workspace.id)).map(agentView) }));

    app.get('/agents/:id', {
      preHandler: requireAgent(),
      schema: { tags: ['agents'], summary: 'One agent', params: IdParams, response: { 200: AgentView, 404: ErrorView } },
    }, async (request) => agentView(await accounts.agent(request.workspace.id, request.params.id)));

    app.post('/agents', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['agents'], summary: 'Add an agent (admin)',
        body: NewAgent,
        response: { 201: AgentView, 409: ErrorView },
      },
    }, async (request, reply) => reply.code(201).send(agentView(await accounts.createAgent(request.workspace.id, request.body, actorOf(request)))));

    app.patch('/agents/:id', {
      preHandler: requireAgent('admin'),
      schema: {
        tags: ['agents'], summary: 'Rename, change the role of, or disable an agent (admin)', params: IdParams,
        body: AgentPatch,
        response: { 200: AgentView, 404: ErrorView, 409: ErrorView },
      },
    }, async (request) => agentView(await accounts.updateAgent(request.workspace.id, request.params.id, request.body, actorOf(request))));

    app.get('/api-tokens', {
      preHandler: requireAgent(),
      schema: {
        tags: ['api-tokens'],
        summary: 'Your live API tokens; an admin (with the admin scope on a token) may list another agent\'s (`agentId`) or everyone\'s (`agentId=all`)',
        querystring: ApiTokensQuery,
        response: { 200: ApiTokenListView, 403: ErrorView },
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
        body: NewApiToken,
        response: { 201: NewApiTokenView, 400: ErrorView, 403: ErrorView },
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
        tags: ['audit'], summary: 'Admin actions, newest first, by who acted, action and time (keyset pages: pass the last id as `before`)',
        querystring: AuditQuery,
        response: { 200: AuditPageView },
      },
    }, async (request) => ({
      entries: (await accounts.listAudit(request.workspace.id, request.query)).map((e) => ({
        id: e.id, actorType: e.actor_type, actorId: e.actor_id, action: e.action, targetType: e.target_type,
        targetId: e.target_id, details: e.details, ip: e.ip, createdAt: e.created_at,
      })),
    }));
  };
