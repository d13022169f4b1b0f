import { describe, expect, it } from 'vitest';
import { SYSTEM, useCustomersHarness } from './customers.harness.js';

const { h, api } = useCustomersHarness();


describe('companies (B2B customers)', () => {
  it('lists companies with their member counts and shows each member\'s tickets', async () => {
    const company = (await api(h.admin, 'POST', '/customer-companies', { name: '上海文印', domain: 'WenYin.example', notes: '经销商' })).json();
    expect(company).toMatchObject({ name: '上海文印', domain: 'wenyin.example', notes: '经销商' });
    const zhao = (await api(h.agent, 'POST', '/customers', { name: '赵敏', email: 'zhao@wenyin.example', companyId: company.id })).json();
    const li = (await api(h.agent, 'POST', '/customers', { name: '李娜', email: 'li@wenyin.example', companyId: company.id })).json();
    await api(h.agent, 'POST', '/customers', { name: 'Loner', email: 'loner@example.com' });
    await h.t.services.tickets.open(h.t.workspace.id, { subject: 'Jam 1', body: 'It jams', channel: 'web', customer: { id: zhao.id } }, SYSTEM);
    await h.t.services.tickets.open(h.t.workspace.id, { subject: 'Jam 2', body: 'Again', channel: 'email', customer: { id: zhao.id } }, SYSTEM);

    const list = (await api(h.agent, 'GET', '/customer-companies')).json().companies;
    expect(list.map((c: { name: string; memberCount: number }) => [c.name, c.memberCount])).toEqual([['上海文印', 2]]);
    const page = (await api(h.agent, 'GET', `/customer-companies/${company.id}`)).json();
    expect(page.members).toEqual([
      { id: li.id, name: '李娜', email: 'li@wenyin.example', ticketCount: 0 },
      { id: zhao.id, name: '赵敏', email: 'zhao@wenyin.example', ticketCount: 2 },
    ]);

    // Leaving the company is the customer's own change.
    expect((await api(h.agent, 'PATCH', `/customers/${li.id}`, { companyId: null })).json().companyId).toBeNull();
    expect((await api(h.agent, 'GET', `/customer-companies/${company.id}`)).json().members.map((m: { id: string }) => m.id)).toEqual([zhao.id]);
  });

  it('lets admins edit a company; a taken name or domain is a 409 and a bad domain a 400, changing nothing', async () => {
    const harbour = (await api(h.admin, 'POST', '/customer-companies', { name: 'Harbour Office', domain: 'harbour.example' })).json();
    const other = (await api(h.admin, 'POST', '/customer-companies', { name: 'Other Co' })).json();
    expect(other).toMatchObject({ domain: null, notes: '' });

    const sameDomain = await api(h.admin, 'POST', '/customer-companies', { name: 'Harbour Twin', domain: 'HARBOUR.example' });
    expect(sameDomain.statusCode).toBe(409);
    expect(sameDomain.json().error).toMatchObject({ code: 'COMPANY_DOMAIN_TAKEN', details: { domain: 'harbour.example' } });
    expect((await api(h.admin, 'POST', '/customer-companies', { name: 'harbour office' })).json().error.code).toBe('COMPANY_TAKEN');
    expect((await api(h.admin, 'PATCH', `/customer-companies/${other.id}`, { domain: 'harbour.example' })).json().error.code).toBe('COMPANY_DOMAIN_TAKEN');
    expect((await api(h.admin, 'PATCH', `/customer-companies/${other.id}`, { name: 'Harbour Office' })).json().error.code).toBe('COMPANY_TAKEN');
    for (const domain of ['https://x.example', 'x.example/path', 'no-dot', '-bad.example', 'a b.example']) {
      const bad = await api(h.admin, 'PATCH', `/customer-companies/${other.id}`, { domain });
      expect(bad.statusCode, domain).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await api(h.admin, 'PATCH', `/customer-companies/${other.id}`, { name: '' })).statusCode).toBe(400);
    expect((await api(h.admin, 'GET', `/customer-companies/${other.id}`)).json()).toMatchObject({ name: 'Other Co', domain: null });

    const edited = await api(h.admin, 'PATCH', `/customer-companies/${harbour.id}`, { name: 'Harbour Office Supplies', domain: 'harbour-office.example', notes: 'Reseller' });
    expect(edited.json()).toMatchObject({ name: 'Harbour Office Supplies', domain: 'harbour-office.example', notes: 'Reseller' });
    // The old domain is free again; no domain at all is never "taken".
    expect((await api(h.admin, 'PATCH', `/customer-companies/${other.id}`, { domain: 'harbour.example' })).statusCode).toBe(200);
    expect((await api(h.admin, 'POST', '/customer-companies', { name: 'No Domain Two' })).statusCode).toBe(201);

    expect((await api(h.agent, 'PATCH', `/customer-companies/${harbour.id}`, { notes: 'agent' })).statusCode).toBe(403);
    expect((await api(h.agent, 'POST', '/customer-companies', { name: 'By Agent' })).statusCode).toBe(403);
    const audit = (await h.t.services.accounts.listAudit(h.t.workspace.id, { limit: 50 })).filter((a) => a.target_id === harbour.id).map((a) => a.action);
    expect(audit.sort()).toEqual(['customer_company.created', 'customer_company.updated']);
  });

  it('deletes a company, keeping its customers without one; another workspace\'s company is not found', async () => {
    const gone = (await api(h.admin, 'POST', '/customer-companies', { name: 'Closing Ltd', domain: 'closing.example' })).json();
    const member = (await api(h.agent, 'POST', '/customers', { name: 'Staying', email: 'staying@closing.example', companyId: gone.id })).json();

    expect((await api(h.otherAdmin, 'DELETE', `/customer-companies/${gone.id}`)).json().error.code).toBe('COMPANY_NOT_FOUND');
    expect((await api(h.otherAdmin, 'GET', `/customer-companies/${gone.id}`)).statusCode).toBe(404);
    expect((await api(h.otherAdmin, 'PATCH', `/customer-companies/${gone.id}`, { notes: 'x' })).statusCode).toBe(404);
    expect((await api(h.agent, 'DELETE', `/customer-companies/${gone.id}`)).statusCode).toBe(403);

    const deleted = await api(h.admin, 'DELETE', `/customer-companies/${gone.id}`);
    expect(deleted.statusCode).toBe(204);
    expect((await api(h.admin, 'GET', `/customer-companies/${gone.id}`)).json().error.code).toBe('COMPANY_NOT_FOUND');
    expect((await api(h.admin, 'DELETE', `/customer-companies/${gone.id}`)).statusCode).toBe(404);
    expect((await api(h.agent, 'GET', `/customers/${member.id}/record`)).json()).toMatchObject({ customer: { id: member.id, companyId: null }, company: null });
    const audit = (await h.t.services.accounts.listAudit(h.t.workspace.id, { limit: 50 })).find((a) => a.target_id === gone.id && a.action === 'customer_company.deleted');
    expect(audit?.details).toEqual({ members: 1 });
    // Its domain may be used again.
    expect((await api(h.admin, 'POST', '/customer-companies', { name: 'Reopened Ltd', domain: 'closing.example' })).statusCode).toBe(201);
  });
});
