import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { customersHarness, SYSTEM, type Auth } from './customers.harness.js';

let t: TestApp;
let admin: Auth;
let agent: Auth;
let otherAdmin: Auth;

beforeAll(async () => {
  ({ t, admin, agent, otherAdmin } = await customersHarness());
});
afterAll(async () => { await t.close(); });

const api = (headers: Auth, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('companies (B2B customers)', () => {
  it('lists companies with their member counts and shows each member\'s tickets', async () => {
    const company = (await api(admin, 'POST', '/customer-companies', { name: '上海文印', domain: 'WenYin.example', notes: '经销商' })).json();
    expect(company).toMatchObject({ name: '上海文印', domain: 'wenyin.example', notes: '经销商' });
    const zhao = (await api(agent, 'POST', '/customers', { name: '赵敏', email: 'zhao@wenyin.example', companyId: company.id })).json();
    const li = (await api(agent, 'POST', '/customers', { name: '李娜', email: 'li@wenyin.example', companyId: company.id })).json();
    await api(agent, 'POST', '/customers', { name: 'Loner', email: 'loner@example.com' });
    await t.services.tickets.open(t.workspace.id, { subject: 'Jam 1', body: 'It jams', channel: 'web', customer: { id: zhao.id } }, SYSTEM);
    await t.services.tickets.open(t.workspace.id, { subject: 'Jam 2', body: 'Again', channel: 'email', customer: { id: zhao.id } }, SYSTEM);

    const list = (await api(agent, 'GET', '/customer-companies')).json().companies;
    expect(list.map((c: { name: string; memberCount: number }) => [c.name, c.memberCount])).toEqual([['上海文印', 2]]);
    const page = (await api(agent, 'GET', `/customer-companies/${company.id}`)).json();
    expect(page.members).toEqual([
      { id: li.id, name: '李娜', email: 'li@wenyin.example', ticketCount: 0 },
      { id: zhao.id, name: '赵敏', email: 'zhao@wenyin.example', ticketCount: 2 },
    ]);

    // Leaving the company is the customer's own change.
    expect((await api(agent, 'PATCH', `/customers/${li.id}`, { companyId: null })).json().companyId).toBeNull();
    expect((await api(agent, 'GET', `/customer-companies/${company.id}`)).json().members.map((m: { id: string }) => m.id)).toEqual([zhao.id]);
  });

  it('lets admins edit a company; a taken name or domain is a 409 and a bad domain a 400, changing nothing', async () => {
    const harbour = (await api(admin, 'POST', '/customer-companies', { name: 'Harbour Office', domain: 'harbour.example' })).json();
    const other = (await api(admin, 'POST', '/customer-companies', { name: 'Other Co' })).json();
    expect(other).toMatchObject({ domain: null, notes: '' });

    const sameDomain = await api(admin, 'POST', '/customer-companies', { name: 'Harbour Twin', domain: 'HARBOUR.example' });
    expect(sameDomain.statusCode).toBe(409);
    expect(sameDomain.json().error).toMatchObject({ code: 'COMPANY_DOMAIN_TAKEN', details: { domain: 'harbour.example' } });
    expect((await api(admin, 'POST', '/customer-companies', { name: 'harbour office' })).json().error.code).toBe('COMPANY_TAKEN');
    expect((await api(admin, 'PATCH', `/customer-companies/${other.id}`, { domain: 'harbour.example' })).json().error.code).toBe('COMPANY_DOMAIN_TAKEN');
    expect((await api(admin, 'PATCH', `/customer-companies/${other.id}`, { name: 'Harbour Office' })).json().error.code).toBe('COMPANY_TAKEN');
    for (const domain of ['https://x.example', 'x.example/path', 'no-dot', '-bad.example', 'a b.example']) {
      const bad = await api(admin, 'PATCH', `/customer-companies/${other.id}`, { domain });
      expect(bad.statusCode, domain).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await api(admin, 'PATCH', `/customer-companies/${other.id}`, { name: '' })).statusCode).toBe(400);
    expect((await api(admin, 'GET', `/customer-companies/${other.id}`)).json()).toMatchObject({ name: 'Other Co', domain: null });

    const edited = await api(admin, 'PATCH', `/customer-companies/${harbour.id}`, { name: 'Harbour Office Supplies', domain: 'harbour-office.example', notes: 'Reseller' });
    expect(edited.json()).toMatchObject({ name: 'Harbour Office Supplies', domain: 'harbour-office.example', notes: 'Reseller' });
    // The old domain is free again; no domain at all is never "taken".
    expect((await api(admin, 'PATCH', `/customer-companies/${other.id}`, { domain: 'harbour.example' })).statusCode).toBe(200);
    expect((await api(admin, 'POST', '/customer-companies', { name: 'No Domain Two' })).statusCode).toBe(201);

    expect((await api(agent, 'PATCH', `/customer-companies/${harbour.id}`, { notes: 'agent' })).statusCode).toBe(403);
    expect((await api(agent, 'POST', '/customer-companies', { name: 'By Agent' })).statusCode).toBe(403);
    const audit = (await t.services.accounts.listAudit(t.workspace.id, { limit: 50 })).filter((a) => a.target_id === harbour.id).map((a) => a.action);
    expect(audit.sort()).toEqual(['customer_company.created', 'customer_company.updated']);
  });

  it('deletes a company, keeping its customers without one; another workspace\'s company is not found', async () => {
    const gone = (await api(admin, 'POST', '/customer-companies', { name: 'Closing Ltd', domain: 'closing.example' })).json();
    const member = (await api(agent, 'POST', '/customers', { name: 'Staying', email: 'staying@closing.example', companyId: gone.id })).json();

    expect((await api(otherAdmin, 'DELETE', `/customer-companies/${gone.id}`)).json().error.code).toBe('COMPANY_NOT_FOUND');
    expect((await api(otherAdmin, 'GET', `/customer-companies/${gone.id}`)).statusCode).toBe(404);
    expect((await api(otherAdmin, 'PATCH', `/customer-companies/${gone.id}`, { notes: 'x' })).statusCode).toBe(404);
    expect((await api(agent, 'DELETE', `/customer-companies/${gone.id}`)).statusCode).toBe(403);

    const deleted = await api(admin, 'DELETE', `/customer-companies/${gone.id}`);
    expect(deleted.statusCode).toBe(204);
    expect((await api(admin, 'GET', `/customer-companies/${gone.id}`)).json().error.code).toBe('COMPANY_NOT_FOUND');
    expect((await api(admin, 'DELETE', `/customer-companies/${gone.id}`)).statusCode).toBe(404);
    expect((await api(agent, 'GET', `/customers/${member.id}/record`)).json()).toMatchObject({ customer: { id: member.id, companyId: null }, company: null });
    const audit = (await t.services.accounts.listAudit(t.workspace.id, { limit: 50 })).find((a) => a.target_id === gone.id && a.action === 'customer_company.deleted');
    expect(audit?.details).toEqual({ members: 1 });
    // Its domain may be used again.
    expect((await api(admin, 'POST', '/customer-companies', { name: 'Reopened Ltd', domain: 'closing.example' })).statusCode).toBe(201);
  });
});
