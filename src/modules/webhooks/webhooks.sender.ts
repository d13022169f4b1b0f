import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { TargetForbiddenError, type OutboundTargets } from '../../core/net/outbound-targets.js';

/**
 * The HTTP side of a delivery: one POST, bounded in time and in what is read back, to a target
 * the operator's outbound rules permit (core/net/outbound-targets.ts).
 */

/** The host of a URL as an address when it is a literal (URL keeps IPv6 in brackets). */
function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? host : undefined;
}

export interface SendResult {
  /** Null when no response came (timeout, refused connection, forbidden target …). */
  status: number | null;
  excerpt: string | null;
  /** Why there was no usable response: `timeout`, `target_forbidden`, or the socket error's code. */
  error: string | null;
  durationMs: number;
}

export interface SendOptions {
  timeoutMs: number;
  targets: OutboundTargets;
}

/** How much of a response body is read (the rest is dropped) and how much of it is kept. */
const READ_LIMIT_BYTES = 64 * 1024;
const EXCERPT_CHARS = 500;

/**
 * POSTs `body` and never throws: the outcome, good or bad, is data for the delivery log. The
 * timeout covers everything (DNS, connect, TLS, headers, body); redirects are not followed.
 */
export function postJson(target: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise<SendResult>((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      resolve({ status: null, excerpt: null, error: 'invalid_url', durationMs: 0 });
      return;
    }
    // The socket skips `lookup` for a literal address, so literals are checked here.
    const literal = literalAddress(url);
    if (literal && !options.targets.permits(literal)) {
      resolve({ status: null, excerpt: null, error: 'target_forbidden', durationMs: elapsed() });
      return;
    }
    const signal = AbortSignal.timeout(options.timeoutMs);
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers },
      signal,
      // A fresh connection per delivery: no pooled socket outlives the check of its address.
      agent: false,
      ...(options.targets.checksNothing ? {} : { lookup: options.targets.lookup }),
    }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const text = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS)
          // eslint-disable-next-line no-control-regex
          .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
        resolve({ status: response.statusCode ?? null, excerpt: text || null, error: null, durationMs: elapsed() });
      };
      response.on('data', (chunk: Buffer) => {
        if (size < READ_LIMIT_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size >= READ_LIMIT_BYTES) {
          response.destroy();
          done();
        }
      });
      response.on('end', done);
      // The status line arrived; a body cut short (timeout, reset) still leaves a usable status.
      response.on('error', done);
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      const error = signal.aborted ? 'timeout'
        : err instanceof TargetForbiddenError || err.cause instanceof TargetForbiddenError ? 'target_forbidden'
          : err.code ?? err.name;
      resolve({ status: null, excerpt: null, error, durationMs: elapsed() });
    });
    request.end(body);
  });
}
