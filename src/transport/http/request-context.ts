import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type {} from '@fastify/cookie';
import { sameSecret } from '../../core/auth/tokens.js';
import { AppError, csrfInvalid } from '../../core/errors.js';
import { chooseLocale } from '../../core/i18n/index.js';
import {
  COOKIE, issueCsrfToken, tokenScopeMissing, type AccountsService, type ApiTokenGrant, type SignedInAgent, type WorkspaceRow,
} from '../../modules/accounts/index.js';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** What a token with only the `read` scope may send. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function readSignedCookie(request: FastifyRequest, name: string): string | undefined {
  const raw = request.cookies[name];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : undefined;
}

/**
 * Establishes who is calling, in which workspace and language, for every request; and enforces
 * CSRF tokens (signed double-submit cookie) on every write that a browser could make on its own:
 * anything carrying a session cookie, and any form post.
 */
export const requestContext = (accounts: AccountsService, options: { secureCookies: boolean }) =>
  fp(async (app: FastifyInstance) => {
    app.decorateRequest('workspace', null as unknown as WorkspaceRow);
    app.decorateRequest('locale', 'en');
    app.decorateRequest('csrfToken', '');

    app.addHook('onRequest', async (request, reply) => {
      await identify(accounts, request);
      if (request.apiToken && !READ_METHODS.has(request.method) && !request.apiToken.scopes.includes('write')) throw tokenScopeMissing('write');
      // API clients authenticate every request themselves; only browsers need the CSRF cookie.
      if (request.authVia !== 'token') request.csrfToken = readSignedCookie(request, COOKIE.csrf) ?? issueCsrfToken(request, reply, options.secureCookies);
      const preference = request.agent?.locale ?? request.customer?.locale ?? request.cookies[COOKIE.language];
      request.locale = chooseLocale(preference, request.headers['accept-language'], request.workspace.default_locale);
    });

    app.addHook('preValidation', async (request) => {
      if (!UNSAFE_METHODS.has(request.method) || request.authVia === 'token') return;
      // Only a live session is worth forging; a stale cookie must not lock its owner out of signing in again.
      const isForm = /^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(request.headers['content-type'] ?? '');
      if (request.authVia !== 'session' && !isForm) return; // cross-site JSON needs CORS, which is never granted
      const sent = request.headers['x-csrf-token'] ?? (request.body as { _csrf?: unknown } | undefined)?._csrf;
      const expected = readSignedCookie(request, COOKIE.csrf);
      if (typeof sent !== 'string' || !expected || !sameSecret(sent, expected)) {
        throw csrfInvalid('The CSRF token is missing or wrong; reload the page and try again');
      }
    });
  });

async function identify(accounts: AccountsService, request: FastifyRequest): Promise<void> {
  // Only the Bearer scheme is ours: another (Basic added by a proxy in front of the portal) is
  // none of Kefu's business, so it neither signs anyone in nor breaks the page.
  const [, scheme, bearer] = /^(\S+)(?:\s+(.*))?$/.exec(request.headers.authorization?.trim() ?? '') ?? [];
  if (scheme?.toLowerCase() === 'bearer') {
    const found = bearer && /^\S+$/.test(bearer) ? await accounts.agentForApiToken(bearer) : undefined;
    if (!found) throw new AppError('UNAUTHENTICATED', 401, 'The API token is not valid');
    return signIn(request, found.workspace, 'token', found.agent, found.token);
  }
  const agentSession = readSignedCookie(request, COOKIE.agent);
  const found = agentSession ? await accounts.agentForSession(agentSession) : undefined;
  if (found) return signIn(request, found.workspace, 'session', found.agent);

  const workspace = await accounts.workspaceForHost(request.hostname);
  if (!workspace) throw new AppError('NO_WORKSPACE', 503, 'No workspace exists yet; run `kefu seed --demo` or `kefu admin create`');
  request.workspace = workspace;
  const customerSession = readSignedCookie(request, COOKIE.customer);
  const customer = customerSession ? await accounts.customerForSession(customerSession) : undefined;
  // A portal session only counts on its own workspace's host.
  if (customer && customer.workspace_id === workspace.id) {
    request.customer = customer;
    request.authVia = 'session';
  }
}

function signIn(request: FastifyRequest, workspace: WorkspaceRow, via: 'session' | 'token', agent: SignedInAgent, token?: ApiTokenGrant): void {
  request.workspace = workspace;
  request.agent = { id: agent.id, email: agent.email, name: agent.name, role: agent.role, locale: agent.locale };
  request.authVia = via;
  request.apiToken = token;
}
