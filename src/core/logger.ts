import { createRequire } from 'node:module';
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
 * downloads): request URLs are logged, so their values are blanked (issue 12 #15).
 */
const SECRET_QUERY_PARAMS = /([?&](?:token|access_token|key|secret|signature|sig|code|password)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}

interface LoggedRequest { method?: string; url?: string; hostname?: string; host?: string; ip?: string; id?: string }

/** Where logs go and in which form: text for a person at a terminal, JSON lines for everything else. */
export type LogFormat = 'pretty' | 'json';

export function logFormatOf(stream: NodeJS.WritableStream): LogFormat {
  return (stream as { isTTY?: boolean }).isTTY === true ? 'pretty' : 'json';
}

/**
 * Logs to `destination` (stdout by default): human-readable when it is a terminal (a newcomer's
 * `npm start`), one JSON object per line otherwise (a pipe, a file, a log collector).
 */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  const stream = logFormatOf(destination) === 'pretty' ? prettyStream(destination) : destination;
  return pino({
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    // Request lines carry `req`; only these fields, with secrets in the query blanked.
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: req.url === undefined ? undefined : redactUrl(req.url), host: req.hostname ?? req.host, remoteAddress: req.ip }),
    },
  }, stream as never);
}

/**
 * pino-pretty as a synchronous stream in this thread (not pino's transport, which starts a worker
 * thread and its memory), loaded only when a terminal is there to read it.
 */
function prettyStream(destination: NodeJS.WritableStream): NodeJS.WritableStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => NodeJS.WritableStream;
  return pretty({ destination, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
}
