import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

describe('security headers (issue 12 #16)', () => {
  it('sends a CSP that refuses inline script and framing by other sites, and a same-origin Referrer-Policy, on portal pages', async () => {
    for (const url of ['/', '/account/sign-in', '/contact', '/no-such-page']) {
      const page = await t.app.http.inject({ url, headers: { accept: 'text/html' } });
      expect(page.headers['content-type'], url).toContain('text/html');
      const csp = String(page.headers['content-security-policy']);
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp, url).toContain("frame-ancestors 'self'");
      expect(page.headers['referrer-policy'], url).toBe('same-origin');
      // Every script the page has is a file the CSP allows.
      for (const tag of page.body.match(/<script[^>]*>/g) ?? []) expect(tag, url).toMatch(/ src="\/[^/]/);
    }
    const api = await t.app.http.inject({ url: '/healthz' });
    expect(api.headers['referrer-policy']).toBe('same-origin');
    expect(api.headers['x-content-type-options']).toBe('nosniff');
  });

  it('ignores an Authorization header of another scheme on portal pages, and still refuses a bad bearer token', async () => {
    const basic = await t.app.http.inject({ url: '/', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.statusCode).toBe(200);
    const contact = await t.app.http.inject({ url: '/contact', headers: { authorization: 'Negotiate abc' } });
    expect(contact.statusCode).toBe(200);
    const bearer = await t.app.http.inject({ url: '/api/v1/agents', headers: { authorization: 'Bearer not-a-token' } });
    expect(bearer.statusCode).toBe(401);
    const empty = await t.app.http.inject({ url: '/api/v1/agents', headers: { authorization: 'Bearer' } });
    expect(empty.statusCode).toBe(401);
  });

  it('keeps a well-formed client x-request-id and replaces anything else', async () => {
    const kept = await t.app.http.inject({ url: '/healthz', headers: { 'x-request-id': 'edge-7f3a:1' } });
    expect(kept.headers['x-request-id']).toBe('edge-7f3a:1');
    for (const bad of ['<script>alert(1)</script>', 'a'.repeat(129), 'two words', '']) {
      const res = await t.app.http.inject({ url: '/healthz', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
