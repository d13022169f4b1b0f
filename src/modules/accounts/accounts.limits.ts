import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';

const WINDOW = '15 minutes';

export interface SignInLimits {
  /** Attempts per client address and account. */
  perAccount: number;
  /** Attempts per client address over every account. */
  perIp: number;
}

type Counter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Sign-in throttling in two counters (issue 12 #4): a ceiling per client address alone, so one
 * address cannot work through many accounts; and a lower one per client address *and* account,
 * keyed once the body is parsed (a key read before parsing saw no e-mail, so every attempt from
 * one address shared a counter and ten wrong guesses locked the admin out). The plugin runs only
 * one route limit per request, so both are counted here.
 */
export function signInLimits(app: FastifyInstance, limits: SignInLimits, accountOf: (request: FastifyRequest) => string) {
  return attemptLimits(app, limits, {
    ipKey: (request) => `sign-in-ip:${request.ip}`,
    accountKey: (request) => `sign-in:${request.ip}:${request.workspace.id}:${accountOf(request)}`,
    message: 'Too many sign-in attempts; try again later',
  });
}

/**
 * "Forgot password" requests (issue 19, 2): a ceiling per client address, and one per e-mail
 * address *from any client*, so nobody can flood an inbox with reset mails by changing proxies.
 * Both count every request alike, known address or not: the answer must not tell them apart.
 */
export function mailLinkLimits(app: FastifyInstance, limits: SignInLimits, accountOf: (request: FastifyRequest) => string) {
  return attemptLimits(app, limits, {
    ipKey: (request) => `mail-link-ip:${request.ip}`,
    accountKey: (request) => `mail-link:${request.workspace.id}:${accountOf(request)}`,
    message: 'Too many requests for this address; try again later',
  });
}

function attemptLimits(app: FastifyInstance, limits: SignInLimits, keys: { ipKey: (r: FastifyRequest) => string; accountKey: (r: FastifyRequest) => string; message: string }) {
  const perIp = app.createRateLimit({ max: limits.perIp, timeWindow: WINDOW, keyGenerator: keys.ipKey });
  const perAccount = app.createRateLimit({ max: limits.perAccount, timeWindow: WINDOW, keyGenerator: keys.accountKey });
  return {
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => { await enforce(perIp, request, reply, keys.message); },
    preHandler: async (request: FastifyRequest, reply: FastifyReply) => { await enforce(perAccount, request, reply, keys.message); },
  };
}

async function enforce(counter: Counter, request: FastifyRequest, reply: FastifyReply, message: string): Promise<void> {
  const result = await counter(request);
  if (result.isAllowed || !result.isExceeded) return;
  reply.header('retry-after', String(result.ttlInSeconds));
  throw new AppError('RATE_LIMITED', 429, message, { retryAfterSeconds: result.ttlInSeconds });
}

/** The e-mail of a sign-in body, as the schema normalised it (or as typed, for a form). */
export const emailOfBody = (request: FastifyRequest) => String((request.body as { email?: unknown } | undefined)?.email ?? '').trim().toLowerCase();
