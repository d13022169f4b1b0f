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
  const perIp = app.createRateLimit({ max: limits.perIp, timeWindow: WINDOW, keyGenerator: (request) => `sign-in-ip:${request.ip}` });
  const perAccount = app.createRateLimit({
    max: limits.perAccount, timeWindow: WINDOW,
    keyGenerator: (request) => `sign-in:${request.ip}:${request.workspace.id}:${accountOf(request)}`,
  });
  return {
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => { await enforce(perIp, request, reply); },
    preHandler: async (request: FastifyRequest, reply: FastifyReply) => { await enforce(perAccount, request, reply); },
  };
}

async function enforce(counter: Counter, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const result = await counter(request);
  if (result.isAllowed || !result.isExceeded) return;
  reply.header('retry-after', String(result.ttlInSeconds));
  throw new AppError('RATE_LIMITED', 429, 'Too many sign-in attempts; try again later', { retryAfterSeconds: result.ttlInSeconds });
}

/** The e-mail of a sign-in body, as the schema normalised it (or as typed, for a form). */
export const emailOfBody = (request: FastifyRequest) => String((request.body as { email?: unknown } | undefined)?.email ?? '').trim().toLowerCase();
