import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../../../../test/helpers/app.js';

let t: TestApp;
let beta: TestWorkspace;
const token: Record<'admin' | 'agent' | 'editor' | 'beta', string> = { admin: '', agent: '', editor: '', beta: '' };
let customerCookie = '';
const system = { type: 'system' as const, id: null };

const as = (who: keyof typeof token) => ({ authorization: `Bearer ${token[who]}` });
const get = (url: string, headers: Record<string, string> = {}) => t.app.http.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  t = await createTestApp();
  beta = await t.addWorkspace('beta');
  for (const role of ['agent', 'editor'] as const) {
    const agent = await t.services.accounts.createAgent(t.workspace.id, { email: `${role}@acme.example`, name: role, role, password: `${role}-password-1` }, system);
    token[role] = (await t.services.accounts.createApiToken(t.workspace.id, agent.id, role, system)).token;
  }
  token.admin = (await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'admin', system)).token;
  token.beta = (await t.services.accounts.createApiToken(beta.id, beta.admin.id, 'beta', system)).token;
  const customer = await t.services.accounts.registerCustomer(t.workspace.id, { email: 'c@example.com', name: 'C', password: 'a-long-password', locale: 'en' });
  customerCookie = `kefu_customer=${t.app.http.signCookie(await t.services.accounts.openSession(t.workspace.id, 'customer', customer.id))}`;
  const base = { categoryId: null, product: null, tags: [], publishedAt: new Date('2026-01-01') };
  await t.services.search.index(t.workspace.id, { ...base, kind: 'article', id: 'jam', locale: 'en', title: 'Clearing a <b>paper</b> jam', body: 'Open the <script>cover</script> and pull the paper.', url: '/kb/articles/jam' });
  await t.services.search.index(t.workspace.id, { ...base, kind: 'article', id: 'toner', locale: 'en', title: 'Toner', body: 'Replace the toner.', url: '/kb/articles/toner' });
  await t.services.search.index(beta.id, { ...base, kind: 'article', id: 'jam', locale: 'en', title: 'Beta paper jam', body: 'Beta only.', url: '/kb/articles/beta-jam' });
});
afterAll(async () => { await t.close(); });

describe('GET /api/v1/search', () => {
  it('lets agents, editors, admins and API tokens search; not customers or anonymous visitors', async () => {
    for (const who of ['agent', 'editor', 'admin'] as const) {
      const res = await get('/api/v1/search?q=paper%20jam&locale=en', as(who));
      expect(res.statusCode).toBe(200);
      expect(res.json().hits[0]).toMatchObject({ id: 'jam', url: '/kb/articles/jam' });
    }
    expect((await get('/api/v1/search?q=paper')).statusCode).toBe(401);
    expect((await get('/api/v1/search?q=paper', { cookie: customerCookie })).statusCode).toBe(401);
    expect((await get('/api/v1/search/suggest?q=pap', { cookie: customerCookie })).statusCode).toBe(401);
    expect((await get('/api/v1/search/reports/top')).statusCode).toBe(401);
  });

  it('escapes HTML in snippets', async () => {
    const hit = (await get('/api/v1/search?q=cover', as('agent'))).json().hits[0];
    expect(hit.snippetHtml).toContain('&lt;script&gt;<mark>cover</mark>&lt;/script&gt;');
  });

  it('refuses a 10 kB query or unknown parameters with a clear 400, and hostile text with results', async () => {
    const long = await get(`/api/v1/search?q=${'a'.repeat(10_000)}`, as('agent'));
    expect(long.statusCode).toBe(400);
    expect(JSON.stringify(long.json().error.details)).toMatch(/at most 500 characters/);
    expect((await get('/api/v1/search?q=jam&limit=500', as('agent'))).statusCode).toBe(400);
    expect((await get('/api/v1/search?q=jam&sql=1', as('agent'))).statusCode).toBe(400);
    for (const q of ['', "'&|!:*()\\;", "jam' or 1=1 --", '。。。']) {
      const res = await get(`/api/v1/search?q=${encodeURIComponent(q)}`, as('agent'));
      expect(res.statusCode).toBe(200);
    }
  });

  it('logs API searches for the listening reports', async () => {
    await get('/api/v1/search?q=nothing%20matches%20this', as('agent'));
    const report = await get('/api/v1/search/reports/no-results?days=7', as('agent'));
    expect(report.statusCode).toBe(200);
    expect(report.json().searches.map((s: { query: string }) => s.query)).toContain('nothing matches this');
    expect((await get('/api/v1/search/reports/top?days=0', as('agent'))).statusCode).toBe(400);
    expect((await get('/api/v1/search/reports/no-results?days=7', as('beta'))).json().searches).toEqual([]);
  });
});

describe('synonyms', () => {
  it('editors and admins write, agents read, other workspaces see nothing', async () => {
    const body = { locale: 'en', terms: ['paper jam', 'misfeed'] };
    expect((await t.app.http.inject({ method: 'POST', url: '/api/v1/search/synonyms', headers: as('agent'), payload: body })).statusCode).toBe(403);
    const created = await t.app.http.inject({ method: 'POST', url: '/api/v1/search/synonyms', headers: as('editor'), payload: body });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect((await get('/api/v1/search?q=misfeed', as('agent'))).json().hits[0].id).toBe('jam');
    expect((await get('/api/v1/search/synonyms', as('agent'))).json().synonyms).toHaveLength(1);
    expect((await get('/api/v1/search/synonyms', as('beta'))).json().synonyms).toEqual([]);
    const patched = await t.app.http.inject({ method: 'PATCH', url: `/api/v1/search/synonyms/${id}`, headers: as('admin'), payload: { terms: ['paper jam', 'misfeed', 'stuck paper'] } });
    expect(patched.json().terms).toEqual(['paper jam', 'misfeed', 'stuck paper']);
    expect((await t.app.http.inject({ method: 'PATCH', url: `/api/v1/search/synonyms/${id}`, headers: as('editor'), payload: { terms: ['one'] } })).statusCode).toBe(400);
    expect((await t.app.http.inject({ method: 'PATCH', url: `/api/v1/search/synonyms/${id}`, headers: as('editor'), payload: { colour: 'red' } })).statusCode).toBe(400);
    expect((await t.app.http.inject({ method: 'DELETE', url: `/api/v1/search/synonyms/${id}`, headers: as('beta') })).statusCode).toBe(404);
    expect((await t.app.http.inject({ method: 'DELETE', url: `/api/v1/search/synonyms/${id}`, headers: as('agent') })).statusCode).toBe(403);
    expect((await t.app.http.inject({ method: 'DELETE', url: `/api/v1/search/synonyms/${id}`, headers: as('editor') })).statusCode).toBe(204);
    expect((await t.app.http.inject({ method: 'DELETE', url: `/api/v1/search/synonyms/${id}`, headers: as('editor') })).statusCode).toBe(404);
  });
});

describe('portal routes', () => {
  it('suggests titles to anonymous visitors, from the host\'s workspace only', async () => {
    const res = await get('/search/suggest?q=paper&locale=en');
    expect(res.statusCode).toBe(200);
    expect(res.json().suggestions).toEqual([{ kind: 'article', id: 'jam', title: 'Clearing a <b>paper</b> jam', url: '/kb/articles/jam' }]);
    expect((await get(`/search/suggest?q=${'x'.repeat(101)}`)).statusCode).toBe(400);
  });

  it('records a click on a hit of the search and redirects (303) to the document; refuses anything else', async () => {
    const { searchId } = await t.services.search.search(t.workspace.id, { q: 'paper jam', locale: 'en', source: 'portal' });
    const go = await get(`/search/go?sid=${searchId}&kind=article&id=jam`);
    expect(go.statusCode).toBe(303);
    expect(go.headers.location).toBe('/kb/articles/jam');
    expect((await t.services.search.usefulness(t.workspace.id, 'article', 'jam'))!.clicks).toBe(1);
    // Not among that search's results, unknown search, malformed id, another workspace's search.
    expect((await get(`/search/go?sid=${searchId}&kind=article&id=toner`, { accept: 'text/html' })).statusCode).toBe(404);
    expect((await get(`/search/go?sid=${crypto.randomUUID()}&kind=article&id=jam`)).statusCode).toBe(404);
    expect((await get('/search/go?sid=nope&kind=article&id=jam')).statusCode).toBe(400);
    expect((await get(`/search/go?sid=${searchId}&kind=forum&id=jam`)).statusCode).toBe(400);
    const betaSearch = await t.services.search.search(beta.id, { q: 'paper jam', source: 'portal' });
    expect((await get(`/search/go?sid=${betaSearch.searchId}&kind=article&id=jam`)).statusCode).toBe(404);
    expect((await t.services.search.usefulness(beta.id, 'article', 'jam'))).toBeUndefined();
  });
});
