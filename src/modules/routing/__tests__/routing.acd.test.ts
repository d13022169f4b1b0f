import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

/**
 * What routing gained for the chat queue (ACD): the `on_break` presence, after-contact work that
 * keeps an agent out of chat picks (not ticket picks), the longest-idle strategy, hand-overs to a
 * named agent, team chat-queue settings — and chat tickets left to the ACD by ticket auto-assignment.
 */
let t: TestApp;
let admin: { authorization: string };
let departments: Record<string, string>;
const system = { type: 'system' as const, id: null };
let n = 0;

beforeAll(async () => {
  t = await createTestApp();
  admin = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'tests', system)).token}` };
  departments = Object.fromEntries((await t.services.tickets.departments(t.workspace.id)).map((d) => [d.key, d.id]));
});
afterAll(async () => { await t.close(); });

const api = (method: 'GET' | 'PUT', url: string, payload?: object, headers = admin) => t.app.http.inject({ method, url: `/api/v1${url}`, headers, payload });

async function agent(availability: 'online' | 'on_break' | 'offline' = 'online', chatCapacity = 3) {
  n += 1;
  const created = await t.services.accounts.createAgent(t.workspace.id, { email: `acd${n}@acme.example`, name: `ACD ${n}`, role: 'agent', password: 'agent-password-1' }, system);
  await t.services.routing.updateAgent(t.workspace.id, created.id, { availability, chatCapacity });
  return created.id;
}

async function teamOf(key: string, members: string[], chatStrategy: 'round_robin' | 'least_loaded' | 'longest_idle' = 'round_robin') {
  await t.services.routing.configureDepartment(t.workspace.id, departments[key]!, { strategy: 'manual', autoAssign: false, memberIds: members }, system);
  await t.services.routing.configureChatQueue(t.workspace.id, departments[key]!, { chatStrategy, overflowDepartmentId: null, overflowAfterSeconds: null }, system);
}

const pick = (key: string, exclude: string[] = []) => t.services.routing.pickAgent(t.workspace.id, { departmentId: departments[key]!, kind: 'chat', itemId: randomUUID(), exclude });

describe('presence and after-contact work', () => {
  it('takes `on_break` through the API and never picks an agent on a break', async () => {
    const id = await agent('online');
    const own = await t.services.accounts.createApiToken(t.workspace.id, id, 'mine', system);
    const res = await api('PUT', '/me/availability', { availability: 'on_break' }, { authorization: `Bearer ${own.token}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().availability).toBe('on_break');
    await teamOf('finance', [id]);
    expect(await pick('finance')).toBeNull();
    expect((await api('PUT', '/me/availability', { availability: 'lunch' }, { authorization: `Bearer ${own.token}` })).json().error.code).toBe('VALIDATION_FAILED');
  });

  it('keeps an agent in ACW out of chat picks until ACW ends, but not out of ticket picks', async () => {
    const a = await agent();
    await teamOf('hr', [a]);
    const until = new Date(Date.now() + 60_000);
    await t.services.routing.startAfterContactWork(t.workspace.id, a, until);
    expect(await pick('hr')).toBeNull();
    expect(await t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.hr!, kind: 'ticket', itemId: randomUUID() })).toBeNull(); // hr tickets: manual
    await t.services.routing.configureDepartment(t.workspace.id, departments.hr!, { strategy: 'round_robin', autoAssign: false, memberIds: [a] }, system);
    expect(await t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.hr!, kind: 'ticket', itemId: randomUUID() })).toBe(a);
    // Only the ACW that is due ends, once.
    expect(await t.services.routing.endAfterContactWork(t.workspace.id, a, new Date(), new Date(until.getTime() - 1))).toBe(false);
    expect(await t.services.routing.endAfterContactWork(t.workspace.id, a, until, until)).toBe(true);
    expect(await t.services.routing.endAfterContactWork(t.workspace.id, a, until, until)).toBe(false);
    expect(await pick('hr')).toBe(a);
    expect((await t.services.routing.agentRouting(t.workspace.id, a)).acwUntil).toBeNull();
  });
});

describe('strategies and hand-overs', () => {
  it('longest-idle picks the agent idle since earliest (never idle first), then the emptiest', async () => {
    const [a, b, c] = [await agent(), await agent(), await agent()];
    await teamOf('pr', [a, b, c], 'longest_idle');
    await t.services.routing.endAfterContactWork(t.workspace.id, a, new Date('2026-11-23T10:00:00Z'));
    await t.services.routing.startAfterContactWork(t.workspace.id, a, new Date('2026-11-23T10:00:05Z'));
    await t.services.routing.endAfterContactWork(t.workspace.id, a, new Date('2026-11-23T10:00:05Z'));
    await t.services.routing.startAfterContactWork(t.workspace.id, b, new Date('2026-11-23T09:00:00Z'));
    await t.services.routing.endAfterContactWork(t.workspace.id, b, new Date('2026-11-23T09:00:00Z'));
    await t.services.routing.startAfterContactWork(t.workspace.id, c, new Date('2026-11-23T09:30:00Z'));
    await t.services.routing.endAfterContactWork(t.workspace.id, c, new Date('2026-11-23T09:30:00Z'));
    // b idle since 09:00, c since 09:30, a since 10:00:05.
    expect(await pick('pr')).toBe(b);
    // b now holds one: the empty ones come first, c before a.
    expect(await pick('pr')).toBe(c);
    expect(await pick('pr')).toBe(a);
  });

  it('hands a held chat over to a named agent only if they can take it, keeping loads equal to holdings', async () => {
    const [from, busy, away, free] = [await agent('online', 1), await agent('online', 1), await agent('offline', 1), await agent('online', 1)];
    await teamOf('sales', [from]);
    const chat = randomUUID();
    expect(await t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.sales!, kind: 'chat', itemId: chat })).toBe(from);
    await teamOf('sales', [busy]);
    await pick('sales'); // fills busy's only slot
    const handOver = (to: string) => t.services.routing.handOver(t.workspace.id, { kind: 'chat', itemId: chat, toAgentId: to, departmentId: departments.sales! });
    await expect(handOver(busy)).rejects.toMatchObject({ code: 'AGENT_UNAVAILABLE' });
    await expect(handOver(away)).rejects.toMatchObject({ code: 'AGENT_UNAVAILABLE' });
    await expect(handOver(randomUUID())).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    await handOver(free);
    const loads = async (id: string) => (await t.services.routing.agentRouting(t.workspace.id, id)).load.chat;
    expect([await loads(from), await loads(free), await loads(busy)]).toEqual([0, 1, 1]);
    expect((await t.services.routing.assignments(t.workspace.id, 'chat', chat)).map((h) => h.reason)).toEqual(['round_robin', 'transfer']);
  });
});

describe('team chat-queue settings', () => {
  it('sets strategy and overflow through the API, refusing nonsense', async () => {
    const put = (key: string, body: object) => api('PUT', `/routing/departments/${departments[key]}/chat-queue`, body);
    const ok = await put('service', { chatStrategy: 'longest_idle', overflowDepartmentId: departments.sales, overflowAfterSeconds: 90 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ chatStrategy: 'longest_idle', overflowDepartmentId: departments.sales, overflowAfterSeconds: 90, strategy: 'manual' });
    // A refusal names the field at fault, as a schema failure does, so the console shows it there.
    const field = async (body: object) => (await put('service', body)).json().error as { code: string; details: { path: string }[] };
    expect(await field({ chatStrategy: 'longest_idle', overflowDepartmentId: departments.service, overflowAfterSeconds: 90 }))
      .toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body.overflowDepartmentId' }] });
    expect(await field({ chatStrategy: 'longest_idle', overflowDepartmentId: departments.sales, overflowAfterSeconds: null }))
      .toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body.overflowAfterSeconds' }] });
    expect(await field({ chatStrategy: 'longest_idle', overflowDepartmentId: null, overflowAfterSeconds: 30 }))
      .toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body.overflowDepartmentId' }] });
    expect((await put('service', { chatStrategy: 'fastest', overflowDepartmentId: null, overflowAfterSeconds: null })).json().error.code).toBe('VALIDATION_FAILED');
    const unknownOverflow = await put('service', { chatStrategy: 'round_robin', overflowDepartmentId: randomUUID(), overflowAfterSeconds: 5 });
    expect([unknownOverflow.statusCode, unknownOverflow.json().error.code]).toEqual([400, 'DEPARTMENT_UNKNOWN']);
    expect((await api('GET', `/routing/departments/${departments.service}`)).json()).toMatchObject({ chatStrategy: 'longest_idle', overflowAfterSeconds: 90 });
  });

  it('leaves chat tickets to the chat queue even in a team that auto-assigns tickets', async () => {
    const a = await agent();
    await t.services.routing.configureDepartment(t.workspace.id, departments.pr!, { strategy: 'round_robin', autoAssign: true, memberIds: [a] }, system);
    const chat = await t.services.tickets.open(t.workspace.id, { subject: 'chat', body: 'hi', channel: 'chat', customer: { email: 'c@example.com', name: 'C' }, departmentKey: 'pr' }, system);
    const web = await t.services.tickets.open(t.workspace.id, { subject: 'web', body: 'hi', channel: 'web', customer: { email: 'c@example.com', name: 'C' }, departmentKey: 'pr' }, system);
    await t.jobs.drain(); // both tickets' ticket.created have reached routing
    expect((await t.services.tickets.ticket(t.workspace.id, chat.id)).assignee_id).toBeNull();
    expect((await t.services.tickets.ticket(t.workspace.id, web.id)).assignee_id).toBe(a);
  });
});
