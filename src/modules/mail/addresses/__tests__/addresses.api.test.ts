import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/helpers/app.js';

let t: TestApp;
let admin: string;
let agent: string;
const SYSTEM = { type: 'system' as const, id: null };

beforeAll(async () => {
  t = await createTestApp();
  admin = (await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'admin', SYSTEM)).token;
  const plain = await t.services.accounts.createAgent(t.workspace.id, { email: 'agent@acme.example', name: 'Agent', role: 'agent', password: 'agent-password-1' }, SYSTEM);
  agent = (await t.services.accounts.createApiToken(t.workspace.id, plain.id, 'agent', SYSTEM)).token;
});
afterAll(async () => { await t?.close(); });

const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

describe('support addresses API', () => {
  it('lets an admin add, change and remove an address; agents only read', async () => {
    const sales = (await t.services.tickets.departments(t.workspace.id)).find((d) => d.key === 'sales')!;
    const created = await call(admin, 'POST', '/api/v1/mail/addresses', { address: 'Sales@Acme.example', displayName: 'Acme Sales', departmentId: sales.id, locale: 'zh-CN' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ address: 'sales@acme.example', displayName: 'Acme Sales', departmentId: sales.id, locale: 'zh-CN' });
    const id = created.json().id as string;
    expect((await call(agent, 'GET', '/api/v1/mail/addresses')).json().addresses).toHaveLength(1);
    expect((await call(agent, 'POST', '/api/v1/mail/addresses', { address: 'x@acme.example' })).statusCode).toBe(403);
    expect((await call(agent, 'PATCH', `/api/v1/mail/addresses/${id}`, { displayName: 'x' })).statusCode).toBe(403);
    const patched = await call(admin, 'PATCH', `/api/v1/mail/addresses/${id}`, { displayName: null, locale: 'en' });
    expect(patched.json()).toMatchObject({ displayName: null, locale: 'en', departmentId: sales.id });
    expect((await t.services.mailInbound.addresses.route('SALES@acme.example'))?.id).toBe(id);
    expect((await call(admin, 'DELETE', `/api/v1/mail/addresses/${id}`)).statusCode).toBe(204);
    expect(await t.services.mailInbound.addresses.route('sales@acme.example')).toBeNull();
    expect((await call(admin, 'GET', `/api/v1/mail/addresses/${id}`)).statusCode).toBe(404);
  });

  it('refuses bad input with a clear code and changes nothing', async () => {
    for (const body of [{ address: 'not-an-address' }, { address: 'a@b.example', extra: 1 }, { address: 'a@b.example', locale: 'fr' }, {}]) {
      const res = await call(admin, 'POST', '/api/v1/mail/addresses', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBeTruthy();
    }
    const unknownDepartment = await call(admin, 'POST', '/api/v1/mail/addresses', { address: 'a@b.example', departmentId: crypto.randomUUID() });
    expect(unknownDepartment.json().error.code).toBe('DEPARTMENT_UNKNOWN');
    expect((await call(admin, 'GET', '/api/v1/mail/addresses')).json().addresses).toHaveLength(0);
  });

  it('gives an address to one workspace only', async () => {
    const other = await t.addWorkspace('other');
    await t.services.mailInbound.addresses.create(other.id, { address: 'shared@acme.example' });
    const res = await call(admin, 'POST', '/api/v1/mail/addresses', { address: 'shared@acme.example' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('MAIL_ADDRESS_TAKEN');
  });
});
