import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The Content-Security-Policy of every HTML page Kefu renders: the portal, the agent console and
 * error pages (issue 12 #16). Scripts come only from Kefu's own files (no inline script, no eval),
 * so markup that slips past the sanitiser still cannot run; styles may be inline because the chat
 * widget styles its Shadow DOM with a `<style>` element; images may come from https (articles and
 * mails show pictures hosted elsewhere); no page can be framed by another site.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** The API docs (Swagger UI) bring their own inline bootstrap: they get only the framing and referrer rules. */
const DOCS = /^\/docs(\/|$)/;

/**
 * Headers on every response: no MIME sniffing, no Referer to other sites (reset and unsubscribe
 * links carry secrets in their query), and the CSP on HTML.
 */
export async function securityHeaders(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
  const type = String(reply.getHeader('content-type') ?? '');
  if (!type.startsWith('text/html')) return;
  reply.header('content-security-policy', DOCS.test(request.url) ? "frame-ancestors 'self'" : CONTENT_SECURITY_POLICY);
}

/**
 * A client's `x-request-id` is kept (it ties our logs to a proxy's) only when it looks like an id:
 * 1–128 characters of letters, digits and `._:=+/-`. Anything else (control characters, HTML, a
 * megabyte of text) is replaced by a fresh UUID, as it is echoed and logged (issue 12 #16).
 */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && /^[\w.:=+/-]{1,128}$/.test(sent) ? sent : randomUUID();
}
