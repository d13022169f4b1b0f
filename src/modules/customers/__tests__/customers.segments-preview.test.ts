import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { significant } from '../customers.segments.js';
import { SYSTEM, type Auth } from './customers.harness.js';

/**
 * The editor's live count in a large workspace, estimated from a sample. The threshold is lowered
 * (KEFU_SEGMENT_PREVIEW_EXACT_UP_TO=5000) so that 20,000 customers stand for a million: the sample
 * is then a fifth of the threshold, 1,000 rows, as 20,000 of a million would be.
 */
let t: TestApp;
let agent: Auth;
let small: Auth;
const CUSTOMERS = 20_000;

const preview = async (auth: Auth, rule: unknown) => {
  const res = await t.app.http.inject({ method: 'POST', url: '/api/v1/customer-segments/preview', headers: auth, payload: { rule, limit: 5 } });
  return { status: res.statusCode, body: res.json() as { count: number; estimated: boolean; customers: unknown[]; nextCursor: string | null; error?: { code: string; details: { problems: { path: string }[] } } } };
};
const tag = (value: string) => ({ match: 'all', conditions: [{ field: 'tag', op: 'has', value }] });

beforeAll(async () => {
  t = await createTestApp({ KEFU_SEGMENT_PREVIEW_EXACT_UP_TO: '5000' });
  const token = async (workspaceId: string, agentId: string) => ({ authorization: `Bearer ${(await t.services.accounts.createApiToken(workspaceId, agentId, 'test', SYSTEM)).token}` });
  const agentId = (await t.services.accounts.createAgent(t.workspace.id, { email: 'agent@acme.example', name: 'agent', role: 'agent', password: 'agent-password-1' }, SYSTEM)).id;
  agent = await token(t.workspace.id, agentId);
  const beta = await t.addWorkspace('beta');
  small = await token(beta.id, beta.admin.id);
  const blank = { locale: null, timeZone: null, companyId: null, address: null, attributes: {}, identities: [] };
  for (const [i, name] of ['Ada', 'Bo', 'Cy'].entries()) {
    await t.services.customers.create(beta.id, { ...blank, name, email: `${name.toLowerCase()}@beta.example`, tags: i < 2 ? ['half'] : [] }, SYSTEM);
  }
  // Every second customer is tagged `half` (1 in 10 of them erased since), 20 of them `rare`; rows
  // are inserted in order, so each page holds about as many of each as the next.
  await sql`insert into customers (workspace_id, email, name, tags, erased_at)
    select ${t.workspace.id}, 'c' || i || '@example.com', 'Customer ' || i,
      case when i % 1000 = 0 then array['half', 'rare'] when i % 2 = 0 then array['half'] else '{}' end,
      case when i % 20 = 0 and i % 1000 <> 0 then now() end
    from generate_series(1, ${CUSTOMERS}::int) as i`.execute(t.database.db);
  // The planner's estimate per workspace comes from the statistics (autovacuum's ANALYZE in production).
  await sql`analyze customers`.execute(t.database.db);
}, 120_000);

afterAll(async () => { await t?.close(); });

describe('the live count in a large workspace', () => {
  it('is estimated from a sample, within a few percent of the exact count, without the erased', async () => {
    const exact = 10_000 - 980; // the erased 980 of the half are left out, as in the exact count
    const { status, body } = await preview(agent, tag('half'));
    expect(status).toBe(200);
    expect(body.estimated).toBe(true);
    expect(Math.abs(body.count - exact) / exact).toBeLessThan(0.05);
    expect(body.count).toBe(significant(body.count, 3));
    // Shown: the newest of the sampled customers who match, not erased, and no cursor to page on.
    expect(body.customers).toHaveLength(5);
    const shown = body.customers as { tags: string[]; createdAt: string }[];
    for (const customer of shown) expect(customer.tags).toContain('half');
    expect(shown.map((c) => c.createdAt)).toEqual(shown.map((c) => c.createdAt).sort().reverse());
    expect(body.nextCursor).toBeNull();
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from customers where workspace_id = ${t.workspace.id}
      and email = any(${shown.map((c) => (c as unknown as { email: string }).email)}) and erased_at is null`.execute(t.database.db);
    expect(rows[0]!.n).toBe(5);
  });

  it('counts exactly a rule that too few sampled customers match, rather than show ≈ 0', async () => {
    expect((await preview(agent, tag('rare'))).body).toMatchObject({ count: 20, estimated: false });
  });

  it('counts exactly in a small workspace of the same table', async () => {
    expect((await preview(small, tag('half'))).body).toMatchObject({ count: 2, estimated: false });
  });

  it('keeps saved segments\' counts exact', async () => {
    const segment = await t.services.customerSegments.create(t.workspace.id, { name: 'Half', description: '', rule: tag('half') }, SYSTEM);
    expect((await t.services.customerSegments.count(t.workspace.id, segment.id)).count).toBe(9_020);
    await t.services.customerSegments.recount(t.workspace.id);
    expect((await t.services.customerSegments.count(t.workspace.id, segment.id)).count).toBe(9_020);
  });

  it('refuses a bad rule as in a small workspace, before any count', async () => {
    const invalid = await preview(agent, { match: 'all', conditions: [{ field: 'shoeSize', op: 'gt', value: 40 }] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({ code: 'SEGMENT_RULE_INVALID', details: { problems: [{ path: 'conditions.0.field' }] } });
    const unknown = await preview(agent, { match: 'all', conditions: [{ field: 'consent', purpose: 'telepathy', op: 'granted' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'SEGMENT_REFERENCE_UNKNOWN', details: { problems: [{ path: 'conditions.0.purpose' }] } });
  });
});

describe('rounding an estimate', () => {
  it('keeps 3 significant figures', () => {
    expect([243_517, 9_046.2, 999.6, 87.4, 0.4].map((n) => significant(n, 3))).toEqual([244_000, 9_050, 1_000, 87, 0]);
  });
});
