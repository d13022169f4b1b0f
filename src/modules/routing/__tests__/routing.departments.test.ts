import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { adminAndAgentBearers } from '../../../../test/helpers/bearers.js';

let t: TestApp;
let admin: { authorization: string };
let agent: { authorization: string };

beforeAll(async () => {
  t = await createTestApp();
  ({ admin, agent } = await adminAndAgentBearers(t));
});
afterAll(async () => { await t.close(); });

const call = (headers: { authorization: string }, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers, payload });

describe('departments: add, rename, offer to customers', () => {
  it('adds a department with both names, listed for agents and in the tickets\' departments', async () => {
    const res = await call(admin, 'POST', '/routing/departments', { key: 'Repairs', name: { en: 'Repairs', 'zh-CN': '维修' } });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ key: 'repairs', name: { en: 'Repairs', 'zh-CN': '维修' }, customerSelectable: true, strategy: 'manual', memberIds: [] });
    const listed = (await call(agent, 'GET', '/departments')).json().departments as { id: string; key: string }[];
    expect(listed.at(-1)).toMatchObject({ id: created.id, key: 'repairs' });
    expect((await call(agent, 'GET', `/routing/departments/${created.id}`)).json().name['zh-CN']).toBe('维修');
  });

  it('refuses a key already used, a bad key and a missing name, naming the field', async () => {
    const taken = await call(admin, 'POST', '/routing/departments', { key: 'sales', name: { en: 'Sales 2', 'zh-CN': '销售二' } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('DEPARTMENT_KEY_TAKEN');
    const bad = await call(admin, 'POST', '/routing/departments', { key: 'no spaces', name: { en: ' ', 'zh-CN': '空' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.key', 'body.name.en']);
  });

  it('renames a department and takes it off the portal; customerDepartments follows', async () => {
    const hr = (await t.services.tickets.departments(t.workspace.id)).find((d) => d.key === 'hr')!;
    const res = await call(admin, 'PATCH', `/routing/departments/${hr.id}`, { name: { en: 'People', 'zh-CN': '人事部' }, customerSelectable: false });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: { en: 'People', 'zh-CN': '人事部' }, customerSelectable: false });
    const offered = (await t.services.routing.customerDepartments(t.workspace.id)).map((d) => d.key);
    expect(offered).not.toContain('hr');
    expect(offered).toContain('sales');
    // Setting team routing afterwards keeps the choice.
    const team = await t.app.http.inject({ method: 'PUT', url: `/api/v1/routing/departments/${hr.id}`, headers: admin, payload: { strategy: 'round_robin', autoAssign: true, memberIds: [] } });
    expect(team.json().customerSelectable).toBe(false);
    const again = await call(admin, 'PATCH', `/routing/departments/${hr.id}`, { customerSelectable: true });
    expect(again.json().customerSelectable).toBe(true);
    expect(again.json().name.en).toBe('People');
  });

  it('refuses an empty change and an unknown department', async () => {
    const hr = (await t.services.tickets.departments(t.workspace.id)).find((d) => d.key === 'hr')!;
    expect((await call(admin, 'PATCH', `/routing/departments/${hr.id}`, {})).statusCode).toBe(400);
    expect((await call(admin, 'PATCH', '/routing/departments/00000000-0000-4000-8000-000000000000', { customerSelectable: false })).statusCode).toBe(404);
  });

  it('lets only admins add or change departments', async () => {
    const hr = (await t.services.tickets.departments(t.workspace.id)).find((d) => d.key === 'hr')!;
    const add = await call(agent, 'POST', '/routing/departments', { key: 'x', name: { en: 'X', 'zh-CN': 'X' } });
    expect(add.statusCode).toBe(403);
    const change = await call(agent, 'PATCH', `/routing/departments/${hr.id}`, { customerSelectable: false });
    expect(change.statusCode).toBe(403);
    expect(add.json().error.code).toBe('FORBIDDEN');
  });
});
