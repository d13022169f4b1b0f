import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../helpers/app.js';

/**
 * Every route of the app, called with a second workspace's credentials and the first workspace's
 * ids, must answer 401/403/404 (or 400 for a body it refuses) and leak nothing. A new route with
 * an `:id` fails this test until it is listed in `requestsFor` below.
 */
let t: TestApp;
let beta: TestWorkspace;
let betaToken: string;
const acme = { agentId: '', tokenId: '', secrets: [] as string[] };

const NOT_API = /^\/(docs|assets|agent|openapi\.json|healthz|readyz)\b/;

beforeAll(async () => {
  t = await createTestApp();
  beta = await t.addWorkspace('beta');
  const acmeAgent = await t.services.accounts.createAgent(t.workspace.id,
    { email: 'quiet@acme.example', name: 'Quiet Acme Agent', role: 'agent', password: 'acme-password-1' }, { type: 'system', id: null });
  const acmeToken = await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'acme-token', { type: 'system', id: null });
  acme.agentId = acmeAgent.id;
  acme.tokenId = acmeToken.id;
  acme.secrets = [t.workspace.admin.email, acmeAgent.email, acmeAgent.name, acmeAgent.id, acmeToken.id, acmeToken.token, 'acme Ltd', t.workspace.id];
  betaToken = (await t.services.accounts.createApiToken(beta.id, beta.admin.id, 'beta-token', { type: 'system', id: null })).token;
});
afterAll(async () => { await t.close(); });

/** For routes with ids: which of acme's ids to put in, and a body that would pass validation. */
function requestsFor(method: string, url: string): { url: string; payload?: object } | undefined {
  const table: Record<string, { url: string; payload?: object }> = {
    'GET /api/v1/agents/:id': { url: `/api/v1/agents/${acme.agentId}` },
    'PATCH /api/v1/agents/:id': { url: `/api/v1/agents/${acme.agentId}`, payload: { name: 'hijacked', disabled: true } },
    'DELETE /api/v1/api-tokens/:id': { url: `/api/v1/api-tokens/${acme.tokenId}` },
  };
  return table[`${method} ${url}`];
}

describe('cross-workspace isolation', () => {
  it('lets no route read or change another workspace', async () => {
    const apiRoutes = t.app.routes.filter((r) => !NOT_API.test(r.url) && r.url.startsWith('/api/'));
    expect(apiRoutes.length).toBeGreaterThan(10);
    const unlisted: string[] = [];
    for (const route of apiRoutes) {
      const hasParams = route.url.includes(':');
      const request = hasParams ? requestsFor(route.method, route.url) : { url: route.url, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} };
      if (!request) {
        unlisted.push(`${route.method} ${route.url}`);
        continue;
      }
      const res = await t.app.http.inject({
        method: route.method as 'GET', url: request.url, payload: request.payload,
        headers: { authorization: `Bearer ${betaToken}` },
      });
      const where = `${route.method} ${route.url} → ${res.statusCode}`;
      if (hasParams) expect([401, 403, 404], where).toContain(res.statusCode);
      else expect(res.statusCode, where).toBeLessThan(500);
      for (const secret of acme.secrets) expect(res.body, `${where} leaked ${secret}`).not.toContain(secret);
    }
    expect(unlisted, 'routes with ids missing from requestsFor').toEqual([]);
  });

  it('left the first workspace untouched', async () => {
    const agent = await t.services.accounts.agent(t.workspace.id, acme.agentId);
    expect(agent).toMatchObject({ name: 'Quiet Acme Agent', disabled_at: null });
    const tokens = await t.services.accounts.listApiTokens(t.workspace.id, t.workspace.admin.id);
    expect(tokens.map((x) => x.id)).toContain(acme.tokenId);
  });

  it('does not accept a session cookie from one workspace as a customer of another', async () => {
    const customer = await t.services.accounts.registerCustomer(beta.id, { email: 'c@beta.example', name: 'Beta Customer', password: 'beta-customer-pw', locale: 'en' });
    const token = await t.services.accounts.openSession(beta.id, 'customer', customer.id);
    const signed = t.app.http.signCookie(token);
    // No hostname maps to beta, so the portal answers as acme (the oldest workspace).
    const res = await t.app.http.inject({ url: '/requests', headers: { cookie: `kefu_customer=${signed}` } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/sign-in');
  });
});
