import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
const SYSTEM = { type: 'system' as const, id: null };
type Auth = { authorization: string };
let admin: Auth;
let agent: Auth;
let departments: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  const token = async (agentId: string) => ({ authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, agentId, 'test', SYSTEM)).token}` });
  admin = await token(t.workspace.admin.id);
  agent = await token((await t.services.accounts.createAgent(t.workspace.id, { email: 'agent@acme.example', name: 'agent', role: 'agent', password: 'agent-password-1' }, SYSTEM)).id);
  departments = Object.fromEntries((await t.services.tickets.departments(t.workspace.id)).map((d) => [d.key, d.id]));
});
afterAll(async () => { await t?.close(); });

const api = async (headers: Auth | undefined, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
  const res = await t.app.http.inject({ method, url: `/api/v1${url}`, ...(headers ? { headers } : {}), ...(payload === undefined ? {} : { payload: payload as object }) });
  if (method !== 'GET') await t.jobs.drain();
  return res;
};
const wordsRule = (name: string, words: string[], departmentKey: string) => ({
  name, conditions: [{ type: 'words', field: 'any', words }], actions: [{ type: 'setDepartment', departmentId: departments[departmentKey] }],
});

describe('triage REST API', () => {
  it('lets admins change rules and settings, any agent read them, nobody signed out', async () => {
    expect((await api(undefined, 'GET', '/triage/rules')).statusCode).toBe(401);
    expect((await api(agent, 'POST', '/triage/rules', wordsRule('x', ['发票'], 'finance'))).statusCode).toBe(403);
    expect((await api(agent, 'PUT', '/triage/settings', { autoApplyThreshold: 0.5 })).statusCode).toBe(403);
    expect((await api(agent, 'POST', '/triage/models/train')).statusCode).toBe(403);
    // Nothing settled yet: the admin hears why at once instead of a job that would skip quietly.
    const untrainable = await api(admin, 'POST', '/triage/models/train');
    expect([untrainable.statusCode, untrainable.json().error.code]).toEqual([422, 'TRIAGE_NO_EXAMPLES']);
    const punctuation = await api(admin, 'POST', '/triage/rules', { ...wordsRule('marks', ['？！'], 'finance') });
    expect(punctuation.json().error).toMatchObject({ code: 'TRIAGE_RULE_INVALID', details: [{ path: 'conditions.0.words.0', code: 'WORDS_EMPTY' }] });

    const invoices = await api(admin, 'POST', '/triage/rules', wordsRule('发票', ['发票', 'invoice'], 'finance'));
    expect(invoices.statusCode, invoices.body).toBe(201);
    const jobs = await api(admin, 'POST', '/triage/rules', { ...wordsRule('招聘', ['简历'], 'hr'), position: 0 });
    expect(jobs.json()).toMatchObject({ position: 0, enabled: true, conditions: [{ type: 'words', match: 'any' }] });
    expect((await api(agent, 'GET', '/triage/rules')).json().rules.map((r: { name: string }) => r.name)).toEqual(['招聘', '发票']);

    const moved = await api(admin, 'PUT', `/triage/rules/${jobs.json().id}`, { ...wordsRule('招聘', ['简历', '应聘'], 'hr'), position: 5 });
    expect(moved.json()).toMatchObject({ position: 1, conditions: [{ words: ['简历', '应聘'] }] });
    expect((await api(admin, 'DELETE', `/triage/rules/${jobs.json().id}`)).statusCode).toBe(204);
    expect((await api(admin, 'DELETE', `/triage/rules/${jobs.json().id}`)).json().error.code).toBe('TRIAGE_RULE_NOT_FOUND');

    expect((await api(admin, 'PUT', '/triage/settings', { autoApplyThreshold: 0.9 })).json()).toEqual({ autoApplyThreshold: expect.closeTo(0.9, 5), enabled: true });
    expect((await api(agent, 'GET', '/triage/settings')).json().autoApplyThreshold).toBeCloseTo(0.9, 5);
    expect((await api(admin, 'PUT', '/triage/settings', { autoApplyThreshold: 2 })).statusCode).toBe(400);
  });

  it('refuses backtracking patterns, contradictions, loops and foreign departments with the problems named', async () => {
    const regex = await api(admin, 'POST', '/triage/rules', { name: 'bad', conditions: [{ type: 'regex', field: 'body', pattern: '(a+)+$' }], actions: [{ type: 'markSpam' }] });
    expect(regex.statusCode).toBe(400);
    expect(regex.json().error).toMatchObject({ code: 'TRIAGE_RULE_INVALID', details: [{ path: 'conditions.0.pattern', code: 'REGEX_BACKTRACKS' }] });

    const loop = await api(admin, 'POST', '/triage/rules', { name: 'loop', conditions: [{ type: 'tags', in: ['vip'] }], actions: [{ type: 'addTags', tags: ['vip'] }] });
    expect(loop.json().error.details).toEqual([expect.objectContaining({ code: 'RULE_LOOPS' })]);

    const other = await t.addWorkspace('other');
    const foreign = (await t.services.tickets.departments(other.id))[0]!.id;
    const stranger = await api(admin, 'POST', '/triage/rules', { name: 'foreign', conditions: [{ type: 'channel', in: ['email'] }], actions: [{ type: 'setDepartment', departmentId: foreign }] });
    expect(stranger.json().error).toMatchObject({ code: 'TRIAGE_RULE_INVALID', details: [{ path: 'actions.0.departmentId', code: 'DEPARTMENT_UNKNOWN' }] });

    const clash = await api(admin, 'POST', '/triage/rules', wordsRule('also invoices', ['发票', 'invoice'], 'sales'));
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.code).toBe('TRIAGE_RULE_CONTRADICTS');

    const empty = await api(admin, 'POST', '/triage/rules', { name: 'nothing', conditions: [], actions: [{ type: 'markSpam' }] });
    expect(empty.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('tries a rule on the newest tickets before it is saved, changing nothing', async () => {
    const open = (subject: string, body: string) => t.services.tickets.open(t.workspace.id, { subject, body, channel: 'email', customer: { email: 'try@customer.example', name: 'Try' } }, SYSTEM);
    const matching = await open('报销单据', '请问差旅报销需要哪些单据？');
    await open('Printer offline', 'It shows offline.');
    const rule = { name: '报销', conditions: [{ type: 'words', field: 'any', words: ['报销'] }], actions: [{ type: 'setUrgency', urgency: 2 }, { type: 'addTags', tags: ['expenses'] }] };
    expect((await api(agent, 'POST', '/triage/rules/try', rule)).statusCode).toBe(403);
    const tried = await api(admin, 'POST', '/triage/rules/try', { ...rule, limit: 50 });
    expect(tried.statusCode, tried.body).toBe(200);
    expect(tried.json().tried).toBeGreaterThanOrEqual(2);
    expect(tried.json().matches).toEqual([{ ticketId: matching.id, number: matching.number, subject: '报销单据', departmentId: null, urgency: 2, tags: ['expenses'], suppressAck: false, spam: false, assigneeId: null, replyTemplateId: null, notify: [] }]);
    expect((await t.services.tickets.ticket(t.workspace.id, matching.id)).urgency).toBe(1);
    expect((await api(admin, 'GET', '/triage/rules')).json().rules.some((r: { name: string }) => r.name === '报销')).toBe(false);
    const bad = await api(admin, 'POST', '/triage/rules/try', { ...rule, conditions: [{ type: 'regex', field: 'any', pattern: '(x+x+)+y' }] });
    expect(bad.json().error).toMatchObject({ code: 'TRIAGE_RULE_INVALID', details: [{ code: 'REGEX_BACKTRACKS' }] });
  });

  it('lets admins keep acknowledgement templates per department × urgency × language', async () => {
    const body = { departmentId: departments.service, urgency: 2, locale: 'en', subject: 'We are on it', body: 'Hello {{name}}, request #{{number}} is urgent for us.' };
    expect((await api(agent, 'POST', '/triage/templates', body)).statusCode).toBe(403);
    const created = await api(admin, 'POST', '/triage/templates', body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ departmentId: departments.service, urgency: 2, locale: 'en' });
    expect((await api(admin, 'POST', '/triage/templates', body)).json().error.code).toBe('TRIAGE_TEMPLATE_TAKEN');
    const changed = await api(admin, 'PUT', `/triage/templates/${created.json().id}`, { ...body, urgency: null, subject: 'Thanks' });
    expect(changed.json()).toMatchObject({ urgency: null, subject: 'Thanks' });
    expect((await api(agent, 'GET', '/triage/templates')).json().templates).toHaveLength(1);
    expect((await api(admin, 'DELETE', `/triage/templates/${created.json().id}`)).statusCode).toBe(204);
    expect((await api(admin, 'DELETE', `/triage/templates/${created.json().id}`)).json().error.code).toBe('TRIAGE_TEMPLATE_NOT_FOUND');
  });

  it('trains in the background, shows the models and what the classifier says, and a ticket\'s decision', async () => {
    for (const [key, subject] of [['service', '打印机卡纸'], ['service', 'Paper jam'], ['sales', '批量采购报价'], ['sales', 'Quote for 20 printers']] as const) {
      const ticket = await t.services.tickets.open(t.workspace.id, { subject, body: subject, channel: 'web', customer: { email: 'h@customer.example', name: 'H' }, departmentKey: key }, SYSTEM);
      await t.services.tickets.update(t.workspace.id, ticket.id, { status: 'solved' }, { type: 'agent', id: t.workspace.admin.id });
    }
    expect((await api(admin, 'POST', '/triage/models/train')).json()).toEqual({ queued: true });
    const models = (await api(agent, 'GET', '/triage/models')).json().models;
    expect(models).toEqual(expect.arrayContaining([expect.objectContaining({ target: 'department', version: 1, heldOutAccuracy: null })]));

    const said = await api(agent, 'POST', '/triage/classify', { text: '打印机又卡纸了' });
    expect(said.json().predictions).toEqual(expect.arrayContaining([expect.objectContaining({ target: 'department', value: departments.service, modelVersion: 1 })]));
    expect((await api(agent, 'POST', '/triage/classify', { text: '？！' })).json().error.code).toBe('TRIAGE_EMPTY_TEXT');
    const empty = await api(agent, 'POST', '/triage/classify', { text: '' });
    expect([empty.statusCode, empty.json().error.code]).toEqual([400, 'TRIAGE_EMPTY_TEXT']);

    const ticket = await t.services.tickets.open(t.workspace.id, { subject: 'Invoice', body: 'My invoice is wrong', channel: 'email', customer: { email: 'i@customer.example', name: 'I' } }, SYSTEM);
    await t.jobs.drain();
    const decision = await t.app.http.inject({ url: `/api/v1/triage/tickets/${ticket.id}`, headers: { ...agent, 'accept-language': 'zh-CN' } });
    expect(decision.json()).toMatchObject({ department: { source: 'rule', value: departments.finance, applied: true }, spam: false });
    expect((await api(agent, 'GET', '/triage/tickets/00000000-0000-4000-8000-000000000000')).json().error.code).toBe('TRIAGE_DECISION_NOT_FOUND');
  });
});
