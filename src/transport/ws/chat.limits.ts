import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimited } from '../../core/errors.js';

/**
 * How many chats one address may start in a window, per workspace: each start opens a ticket and
 * may end in mail to the address typed into the form, so an anonymous widget must not open them in
 * bulk. Per visitor means per e-mail address of the form (the one mail would go to).
 */
export interface StartLimits {
  perIp: number;
  perVisitor: number;
  windowSeconds: number;
}

export const START_LIMITS: StartLimits = { perIp: 20, perVisitor: 5, windowSeconds: 600 };

/** Fastify's `trustProxy` forms: which `X-Forwarded-For` hops name the client. */
export type TrustProxy = boolean | number | string | string[];

export interface StartLimiter {
  /** Counts one start; RATE_LIMITED (details: `retryAfterMs`) when the address or the visitor is over the limit. */
  admit(workspaceId: string, ip: string, email: string): Promise<void>;
}

/** With Redis every web node counts in one place (as the HTTP rate limits do); without it, in this process. */
export function startLimiter(options: { redis?: Redis; limits?: StartLimits } = {}): StartLimiter {
  const limits = options.limits ?? START_LIMITS;
  const counter = (name: string, points: number): RateLimiterAbstract => {
    const local = new RateLimiterMemory({ keyPrefix: `chat-start-${name}`, points, duration: limits.windowSeconds });
    if (!options.redis) return local;
    // Redis unreachable: count in this process rather than refuse every chat.
    return new RateLimiterRedis({ storeClient: options.redis, keyPrefix: `kefu-chat-start:${name}`, points, duration: limits.windowSeconds, insuranceLimiter: local });
  };
  const byIp = counter('ip', limits.perIp);
  const byVisitor = counter('visitor', limits.perVisitor);
  return {
    async admit(workspaceId, ip, email) {
      try {
        await byIp.consume(`${workspaceId}:${ip}`);
        await byVisitor.consume(`${workspaceId}:${email.trim().toLowerCase()}`);
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) throw rateLimited('Too many chats started', { retryAfterMs: refusal.msBeforeNext });
        throw refusal;
      }
    },
  };
}

/** The client's address as Fastify's `request.ip` computes it with the same `trustProxy`. */
export function clientAddress(request: IncomingMessage, trustProxy: TrustProxy = false): string {
  if (trustProxy === false) return request.socket.remoteAddress ?? '';
  const trust = trustProxy === true ? () => true
    : typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy
    : proxyAddr.compile(typeof trustProxy === 'string' ? trustProxy.split(',').map((part) => part.trim()) : trustProxy);
  return proxyAddr(request, trust);
}
