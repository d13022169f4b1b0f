import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** A request slower than this is logged at warn, whatever the log level. */
export const SLOW_REQUEST_MS = 1000;

/**
 * Fastify's request lines, one per request instead of two, at debug: at the default level (info)
 * a terminal shows what needs a person, not every request. A failed request (an error, or a 5xx)
 * or a slow one is logged at warn. Pass as Fastify's `logController`.
 */
export class RequestLog extends LogController {
  constructor(private readonly slowMs = SLOW_REQUEST_MS) {
    super();
  }

  override incomingRequest(): void {
    // The line comes when the request is done, with its status and time.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const ms = reply.elapsedTime;
    const line = { req: request, res: { statusCode: reply.statusCode }, responseTime: Math.round(ms * 10) / 10, ...(error ? { err: error } : {}) };
    if (error || reply.statusCode >= 500) request.log.warn(line, 'request failed');
    else if (ms >= this.slowMs) request.log.warn(line, 'slow request');
    else request.log.debug(line, 'request completed');
  }
}
