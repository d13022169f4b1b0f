import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type {} from '@fastify/cookie';
import { forbidden, unauthenticated } from '../../core/errors.js';
import { isLocale, type Locale } from '../../core/i18n/index.js';
import type { AgentRole, WorkspaceRow } from './accounts.schema.js';
import { tokenScopeMissing, type ApiTokenGrant } from './accounts.service.js';

/**
 * Who is calling, as the request context (src/transport/http/request-context.ts) finds them, and the
 * route guards modules put on their routes.
 */

export const COOKIE = { agent: 'kefu_agent', customer: 'kefu_customer', csrf: 'kefu_csrf', language: 'kefu_lang' } as const;

export interface SignedInAgent { id: string; email: string; name: string; role: AgentRole; locale: Locale | null }
export interface SignedInCustomer { id: string; email: string; name: string; locale: Locale | null }

declare module 'fastify' {
  interface FastifyRequest {
    workspace: WorkspaceRow;
    agent?: SignedInAgent;
    customer?: SignedInCustomer;
    /** How the caller proved who they are: a cookie session (needs CSRF tokens) or an API token. */
    authVia?: 'session' | 'token';
    /** With `authVia: 'token'`: the token's scopes and expiry. */
    apiToken?: ApiTokenGrant;
    locale: Locale;
    csrfToken: string;
  }
  interface FastifyContextConfig {
    /** Errors on this route render as an HTML page rather than JSON. */
    html?: boolean;
  }
}

export function sessionCookieOptions(secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, signed: true, maxAge: 14 * 24 * 3600 };
}

/**
 * A fresh CSRF token in its cookie and on the request. At every sign-in too (issue 12 #16): a token
 * planted or read before someone signs in must not be worth anything to their new session.
 */
export function issueCsrfToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(COOKIE.csrf, token, { ...sessionCookieOptions(secure), maxAge: undefined });
  request.csrfToken = token;
  return token;
}

/**
 * Route guard: an agent must be signed in, with one of `roles` if given. A route only admins may use
 * also needs the `admin` scope on an API token (read and write scopes are checked for every
 * request by the request context).
 */
export function requireAgent(...roles: AgentRole[]): preHandlerAsyncHookHandler {
  const adminOnly = roles.length > 0 && roles.every((role) => role === 'admin');
  return async (request) => {
    if (!request.agent) throw unauthenticated();
    if (roles.length && !roles.includes(request.agent.role)) throw forbidden();
    if (adminOnly && request.apiToken && !request.apiToken.scopes.includes('admin')) throw tokenScopeMissing('admin');
  };
}

/** Whether the caller may act as an admin: an admin by role, and with the `admin` scope when calling with a token. */
export function actsAsAdmin(request: FastifyRequest): boolean {
  return request.agent?.role === 'admin' && (!request.apiToken || request.apiToken.scopes.includes('admin'));
}

export const requireCustomer: preHandlerAsyncHookHandler = async (request) => {
  if (!request.customer) throw unauthenticated();
};

export function actorOf(request: FastifyRequest) {
  return { type: request.authVia === 'token' ? 'api' as const : 'agent' as const, id: request.agent?.id ?? null, ip: request.ip };
}

export { isLocale };
