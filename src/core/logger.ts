import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear, so secrets never reach a log line. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.secret',
  '*.secretAccessKey',
  '*.connectionString',
];

/**
 * Query parameters that carry secrets (visitor tokens, reset links, one-click unsubscribe, signed
 * downloads): request URLs are logged at info level, so their values are blanked (issue 12 #15).
 */
const SECRET_QUERY_PARAMS = /([?&](?:token|access_token|key|secret|signature|sig|code|password)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}

interface LoggedRequest { method?: string; url?: string; hostname?: string; host?: string; ip?: string; id?: string }

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    // Fastify logs each request as `req`; only these fields, with secrets in the query blanked.
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: req.url === undefined ? undefined : redactUrl(req.url), host: req.hostname ?? req.host, remoteAddress: req.ip }),
    },
  }, destination as never);
}
