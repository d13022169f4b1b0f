import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../../../../test/helpers/app.js';
import { WEEKDAYS } from '../../../contracts/enums.js';

/**
 * Rule conditions that read beyond the ticket (the address the mail was sent to, business hours,
 * the customer's tags and saved segments) and actions beyond the ticket's fields (assign an agent,
 * answer with a template, tell people): each on mail through the intake, checked before saving,
 * and shown by the trial on past tickets.
 */
let t: TestApp;
let ws: TestWorkspace;
const SYSTEM = { type: 'system' as const, id: null };
type Auth = { authorization: string };
let admin: Auth;
let departments: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.addWorkspace('facts');
  admin = { authorization: `Bearer ${(await t.services.accounts.createApiToken(ws.id, ws.admin.id, 'test', SYSTEM)).token}` };
  departments = Object.fromEntries((await t.services.tickets.departments(ws.id)).map((d) => [d.key, d.id]));
});
afterAll(async () => { await t?.close(); });

const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
  const res = await t.app.http.inject({ method, url: `/api/v1${url}`, headers: admin, ...(payload === undefined ? {} : { payload: payload as object }) });
  await t.jobs.drain();
  return res;
};

const eml = (from: string, to: string, subject: string, body: string, messageId: string) => Buffer.from([
  `From: ${from}`, `To: ${to}`, `Subject: ${subject}`, 'Date: Sat, 05 Dec 2026 09:00:00 +0800', `Message-ID: <${messageId}>`,
  'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, '',
].join('\r\n'));

async function mail(address: { id: string; address: string }, from: string, subject: string, body: string) {
  await t.services.mailInbound.inbound.accept(eml(from, address.address, subject, body, `${subject}.${from}`.replace(/[^\w.@-]/g, '') + `.${Date.now()}@m.example`),
    { from, recipients: [{ workspace_id: ws.id, id: address.id, address: address.address }], remoteIp: '127.0.0.1', source: 'smtp' });
  await t.jobs.drain();
  const [ticket] = (await t.services.tickets.inbox(ws.id, ws.admin.id, { view: 'all', q: subject })).tickets;
  return ticket!;
}

const allWeek = (hours: { start: string; end: string }[]) => Object.fromEntries(WEEKDAYS.map((d) => [d, hours])) as Record<(typeof WEEKDAYS)[number], { start: string; end: string }[]>;

describe('rules on the mail address, business hours and the customer', () => {
  it('routes a Chinese mail sent to the billing address to finance, assigns it, answers with the named template and tells the admins', async () => {
    const billing = await t.services.mailInbound.addresses.create(ws.id, { address: 'billing@facts.example', locale: 'zh-CN' });
    const help = await t.services.mailInbound.addresses.create(ws.id, { address: 'help@facts.example', locale: 'zh-CN' });
    const li = await t.services.accounts.createAgent(ws.id, { email: 'li@facts.example', name: '李娜', role: 'agent', password: 'agent-password-1', locale: 'zh-CN' }, SYSTEM);
    const template = await t.services.triage.templates.create(ws.id, {
      departmentId: null, urgency: null, locale: 'zh-CN', subject: '发票问题已收到', body: '{{name}}，您好：我们已收到您关于发票的请求 #{{number}}。',
    });
    const created = await api('POST', '/triage/rules', {
      name: '账单邮箱的发票', conditions: [{ type: 'address', in: [billing.id] }, { type: 'words', field: 'any', words: ['发票'] }],
      actions: [{ type: 'setDepartment', departmentId: departments.finance }, { type: 'assignAgent', agentId: li.id },
        { type: 'replyWithTemplate', templateId: template.id }, { type: 'notify', agentId: null }],
    });
    expect(created.statusCode, created.body).toBe(201);

    const routed = await mail(billing, 'zhao@customer.example', '发票开错了', '您好，我上个月的增值税发票抬头写错了，请重新开具。');
    expect(routed).toMatchObject({ department_id: departments.finance, assignee_id: li.id });
    expect(await t.services.triage.decision(ws.id, routed.id, 'zh-CN')).toMatchObject({
      department: { source: 'rule', value: departments.finance }, assigneeId: li.id, replyTemplateId: template.id, notified: [null],
    });
    const outbox = await t.database.db.selectFrom('mail_outbox').select(['to_address', 'template', 'subject', 'text_body']).where('workspace_id', '=', ws.id)
      .where('subject', 'like', `%#${routed.number}%`).orderBy('to_address').execute();
    // The admins' notice, the assigned agent's usual notice of an assignment, the customer's answer.
    expect(outbox.map((m) => [m.to_address, m.template])).toEqual([
      ['admin@facts.example', 'triageRuleNotice'], ['li@facts.example', 'agentAssigned'], ['zhao@customer.example', 'autoresponseCustom'],
    ]);
    expect(outbox[2]!.subject).toBe(`发票问题已收到 [#${routed.number}]`);
    expect(outbox[0]!.text_body).toContain('账单邮箱的发票');
    expect((await t.services.tickets.activity(ws.id, routed.id)).filter((a) => a.action === 'triage.notified').map((a) => a.details))
      .toEqual([{ notified: 1, rule: '账单邮箱的发票' }]);

    // The same words sent to another address: the rule does not hold.
    const elsewhere = await mail(help, 'qian@customer.example', '发票在哪里', '请问发票什么时候寄出？');
    expect(elsewhere.department_id).not.toBe(departments.finance);
    expect(elsewhere.assignee_id).toBeNull();

    // The trial on past tickets shows what the rule would have done, to the billing mail only.
    const tried = await api('POST', '/triage/rules/try', {
      name: 'trial', conditions: [{ type: 'address', in: [billing.id] }], actions: [{ type: 'assignAgent', agentId: li.id }, { type: 'notify', agentId: li.id }],
    });
    expect(tried.json().matches).toEqual([{
      ticketId: routed.id, number: routed.number, subject: '发票开错了', departmentId: null, urgency: null, tags: [], suppressAck: false, spam: false,
      assigneeId: li.id, replyTemplateId: null, notify: [li.id],
    }]);
  });

  it('tells business hours from the rest by the workspace calendar', async () => {
    const [address] = await t.services.mailInbound.addresses.list(ws.id);
    await t.services.triage.createRule(ws.id, {
      name: 'after hours', enabled: true, conditions: [{ type: 'businessHours', inside: false }], actions: [{ type: 'addTags', tags: ['after-hours'] }],
    });
    await t.services.sla.setCalendar(ws.id, { timeZone: 'Asia/Shanghai', weeklyHours: allWeek([{ start: '00:00', end: '24:00' }]), holidays: [], workdays: [] }, false);
    expect((await mail(address!, 'sun@customer.example', 'Toner question open', 'Which toner fits?')).tags).toEqual([]);
    // Every day worked but today (and the days either side, whatever the zone's date now): closed now.
    const days = [-1, 0, 1].map((d) => ({ date: new Date(Date.now() + d * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10) }));
    await t.services.sla.setCalendar(ws.id, { timeZone: 'Asia/Shanghai', weeklyHours: allWeek([{ start: '00:00', end: '24:00' }]), holidays: days, workdays: [] }, false);
    expect((await mail(address!, 'sun@customer.example', 'Toner question closed', 'Which toner fits?')).tags).toEqual(['after-hours']);
  });

  it("routes by the customer's tags and saved segments", async () => {
    const [address] = await t.services.mailInbound.addresses.list(ws.id);
    const customer = (email: string, tags: string[]) => t.services.customers.create(ws.id, {
      name: email, email, locale: 'en', timeZone: null, companyId: null, address: null, tags, attributes: {}, identities: [],
    }, SYSTEM);
    await customer('vip@customer.example', ['vip']);
    await customer('partner@partner.example', ['reseller']);
    const segment = await t.services.customerSegments.create(ws.id, {
      name: 'Resellers', description: '', rule: { match: 'all', conditions: [{ field: 'tag', op: 'has', value: 'reseller' }] },
    }, SYSTEM);
    await t.services.triage.createRule(ws.id, {
      name: 'vip', enabled: true, conditions: [{ type: 'customerTags', in: ['vip'] }], actions: [{ type: 'setUrgency', urgency: 3 }],
    });
    await t.services.triage.createRule(ws.id, {
      name: 'resellers', enabled: true, conditions: [{ type: 'customerSegment', in: [segment.id] }], actions: [{ type: 'setDepartment', departmentId: departments.sales! }],
    });
    const vip = await mail(address!, 'vip@customer.example', 'Paper tray broken', 'The tray is broken.');
    expect(vip.urgency).toBe(3);
    const partner = await mail(address!, 'partner@partner.example', 'Bulk order of toner', 'We need 40 cartridges.');
    expect(partner).toMatchObject({ department_id: departments.sales, urgency: 1 });
    const nobody = await mail(address!, 'walk-in@customer.example', 'Bulk order of paper', 'We need paper.');
    expect(nobody.urgency).toBe(1);
    expect(nobody.department_id).not.toBe(departments.sales);
  });

  it('refuses ids that are not the workspace’s own, naming each path, and saves nothing', async () => {
    const other = await t.addWorkspace('facts-other');
    const foreignAgent = (await t.services.accounts.listAgents(other.id))[0]!.id;
    const foreignAddress = await t.services.mailInbound.addresses.create(other.id, { address: 'help@facts-other.example' });
    const foreignTemplate = await t.services.triage.templates.create(other.id, { departmentId: null, urgency: null, locale: 'en', subject: 'x', body: 'y' });
    const foreignSegment = await t.services.customerSegments.create(other.id, {
      name: 'Theirs', description: '', rule: { match: 'all', conditions: [{ field: 'tag', op: 'has', value: 'x' }] },
    }, SYSTEM);
    const before = (await api('GET', '/triage/rules')).json().rules.length;
    const refused = await api('POST', '/triage/rules', {
      name: 'foreign ids', conditions: [{ type: 'address', in: [foreignAddress.id] }, { type: 'customerSegment', in: [foreignSegment.id] }],
      actions: [{ type: 'assignAgent', agentId: foreignAgent }, { type: 'replyWithTemplate', templateId: foreignTemplate.id }, { type: 'notify', agentId: foreignAgent }],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: 'TRIAGE_RULE_INVALID',
      details: [
        { path: 'conditions.0.in.0', code: 'ADDRESS_UNKNOWN' }, { path: 'conditions.1.in.0', code: 'SEGMENT_UNKNOWN' },
        { path: 'actions.0.agentId', code: 'AGENT_UNKNOWN' }, { path: 'actions.1.templateId', code: 'TEMPLATE_UNKNOWN' }, { path: 'actions.2.agentId', code: 'AGENT_UNKNOWN' },
      ],
    });
    expect(refused.json().error.details).toHaveLength(5);
    const twoAgents = await api('POST', '/triage/rules', {
      name: 'two agents', conditions: [{ type: 'channel', in: ['email'] }],
      actions: [{ type: 'assignAgent', agentId: ws.admin.id }, { type: 'assignAgent', agentId: (await t.services.accounts.listAgents(ws.id)).find((a) => a.id !== ws.admin.id)!.id }],
    });
    expect(twoAgents.json().error).toMatchObject({ code: 'TRIAGE_RULE_INVALID', details: [{ path: 'actions.1', code: 'RULE_SELF_CONTRADICTS' }] });
    expect((await api('GET', '/triage/rules')).json().rules).toHaveLength(before);
  });
});
