import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../../../../test/helpers/app.js';
import { Tenancy } from '../../../core/tenancy.js';
import { heldBack, TriageClassifier } from '../triage.classifier.js';
import { TriageRepo } from '../triage.repo.js';

/**
 * Triage on new tickets, end to end on the app: mail in, rules and classifiers on ticket.created,
 * suggestions below the threshold, and what agents settle feeding the next training.
 */
let t: TestApp;
const SYSTEM = { type: 'system' as const, id: null };
let agentActor: { type: 'agent'; id: string };

beforeAll(async () => {
  t = await createTestApp();
  agentActor = { type: 'agent', id: t.workspace.admin.id };
});
afterAll(async () => { await t?.close(); });

const departmentsOf = async (ws: TestWorkspace | { id: string }) => Object.fromEntries((await t.services.tickets.departments(ws.id)).map((d) => [d.key, d.id]));

/** A ticket opened by a customer and settled by an agent: solved in its department (a labelled example). */
async function settled(workspaceId: string, departmentKey: string, subject: string, body: string, urgency: 0 | 1 | 2 | 3 | 4 = 1) {
  const ticket = await t.services.tickets.open(workspaceId, { subject, body, channel: 'web', customer: { email: 'history@customer.example', name: 'History' }, departmentKey, urgency }, SYSTEM);
  await t.services.tickets.update(workspaceId, ticket.id, { status: 'solved' }, agentActor);
  return ticket;
}

const HISTORY: [string, string, string][] = [
  ['finance', '发票开错了', '上个月的增值税发票抬头写错了，请重新开具。'],
  ['finance', '退款还没到账', '退货已经寄回两周了，退款什么时候到账？'],
  ['finance', 'Invoice is wrong', 'The VAT number on my invoice is wrong, please send a corrected invoice.'],
  ['finance', 'Refund not received', 'I returned the printer two weeks ago and have not received my refund.'],
  ['finance', '付款方式', '可以用对公转账付款吗？需要发票。'],
  ['finance', 'Payment by bank transfer', 'Can I pay the invoice by bank transfer?'],
  ['service', '打印机卡纸', '打印机一直卡纸，取出纸后还是提示卡纸。'],
  ['service', '无法连接无线网络', '打印机连不上家里的无线网络，指示灯一直闪烁。'],
  ['service', 'Paper jam', 'My printer keeps reporting a paper jam even though there is no paper inside.'],
  ['service', 'Printer offline', 'The printer shows offline on my laptop and will not print over wifi.'],
  ['service', '打印很淡', '打印出来的字很淡，换了墨盒也一样。'],
  ['service', 'Faint prints', 'Prints are very faint even after replacing the toner cartridge.'],
];

async function seedHistory(workspaceId: string) {
  for (const [key, subject, body] of HISTORY) await settled(workspaceId, key, subject, body);
  await t.jobs.drain();
}

const eml = (from: string, subject: string, body: string, messageId: string) => Buffer.from([
  `From: ${from}`, 'To: help@acme.example', `Subject: ${subject}`, 'Date: Sat, 05 Dec 2026 09:00:00 +0800', `Message-ID: <${messageId}>`,
  'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, '',
].join('\r\n'));

describe('triage of new tickets', () => {
  it('routes a Chinese mail by a rule with Chinese words, and handles a redelivered event once', async () => {
    const departments = await departmentsOf(t.workspace);
    await t.services.triage.createRule(t.workspace.id, {
      name: '发票 → 财务', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['发票', '报销'], match: 'any' }],
      actions: [{ type: 'setDepartment', departmentId: departments.finance! }, { type: 'setUrgency', urgency: 2 }, { type: 'addTags', tags: ['billing'] }],
    });
    const address = await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'help@acme.example', locale: 'zh-CN' });
    const route = { workspace_id: t.workspace.id, id: address.id, address: address.address };
    await t.services.mailInbound.inbound.accept(eml('zhang.wei@customer.example', '请帮忙', '您好，我上个月的发票抬头写错了，麻烦重新开一张。', 'fapiao-1@customer.example'),
      { from: 'zhang.wei@customer.example', recipients: [route], remoteIp: '127.0.0.1', source: 'smtp' });
    await t.jobs.drain();

    const [ticket] = (await t.services.tickets.inbox(t.workspace.id, t.workspace.admin.id, { view: 'all', q: '请帮忙' })).tickets;
    expect(ticket).toMatchObject({ department_id: departments.finance, urgency: 2, tags: ['billing'] });
    const decision = await t.services.triage.decision(t.workspace.id, ticket!.id, 'zh-CN');
    expect(decision).toMatchObject({ department: { source: 'rule', applied: true, value: departments.finance }, urgency: { source: 'rule', value: 2 }, summary: expect.stringContaining('规则设置了部门') });

    // At-least-once delivery: the same ticket.created again changes nothing.
    await t.services.tickets.update(t.workspace.id, ticket!.id, { departmentId: departments.service! }, agentActor);
    await t.services.triage.onTicketCreated({ id: 'redelivered', type: 'ticket.created', workspaceId: t.workspace.id, occurredAt: new Date().toISOString(),
      payload: { ticket: { ...ticketSummary(ticket!), departmentId: null }, messageId: (await t.services.tickets.thread(t.workspace.id, ticket!.id, { includeNotes: false }))[0]!.id } } as never);
    expect((await t.services.tickets.ticket(t.workspace.id, ticket!.id)).department_id).toBe(departments.service);
  });

  it('sends no acknowledgement for mail a rule marks as spam, and acknowledges the rest', async () => {
    await t.services.triage.createRule(t.workspace.id, {
      name: '中奖', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['中奖'], match: 'any' }], actions: [{ type: 'markSpam' }, { type: 'suppressAck' }],
    });
    const [address] = await t.services.mailInbound.addresses.list(t.workspace.id);
    const route = { workspace_id: t.workspace.id, id: address!.id, address: address!.address };
    for (const [from, subject, id] of [['lucky@spam.example', '恭喜您中奖了', 'spam-1@spam.example'], ['real@customer.example', '打印机卡纸', 'jam-1@customer.example']]) {
      await t.services.mailInbound.inbound.accept(eml(from!, subject!, `${subject}，请回复。`, id!), { from: from!, recipients: [route], remoteIp: '127.0.0.1', source: 'smtp' });
    }
    await t.jobs.drain();
    const acks = await t.database.db.selectFrom('mail_autoresponses').select(['recipient', 'outcome', 'reason']).where('workspace_id', '=', t.workspace.id)
      .where('recipient', 'in', ['lucky@spam.example', 'real@customer.example']).orderBy('recipient').execute();
    expect(acks).toEqual([
      { recipient: 'lucky@spam.example', outcome: 'skipped', reason: 'workspace-rule' },
      { recipient: 'real@customer.example', outcome: 'queued', reason: null },
    ]);
    const [spam] = (await t.services.tickets.inbox(t.workspace.id, t.workspace.admin.id, { view: 'all', q: '恭喜您中奖了' })).tickets;
    expect(spam!.tags).toEqual(['spam']);
  });

  it('acknowledges with the template of the triaged department × urgency × language, the most specific first', async () => {
    const ws = await t.addWorkspace('templates');
    const departments = await departmentsOf(ws);
    const { templates } = t.services.triage;
    await t.services.triage.createRule(ws.id, {
      name: '发票', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['发票', 'invoice'], match: 'any' }],
      actions: [{ type: 'setDepartment', departmentId: departments.finance! }, { type: 'setUrgency', urgency: 3 }],
    });
    await templates.create(ws.id, { departmentId: null, urgency: null, locale: 'en', subject: 'Thanks for writing', body: 'Hello {{name}}, we have request #{{number}}. {{expectation}}' });
    await templates.create(ws.id, { departmentId: departments.finance!, urgency: null, locale: 'zh-CN', subject: '财务已收到', body: '财务部已收到 #{{number}}。' });
    await templates.create(ws.id, { departmentId: departments.finance!, urgency: 3, locale: 'zh-CN', subject: '财务加急', body: '{{name}}，您好：财务部会优先处理 #{{number}}。{{expectation}}' });
    await templates.create(ws.id, { departmentId: null, urgency: 3, locale: 'zh-CN', subject: '加急', body: '加急处理 #{{number}}' });
    const address = await t.services.mailInbound.addresses.create(ws.id, { address: 'help@templates.example' });
    const route = { workspace_id: ws.id, id: address.id, address: address.address };
    const mail = (from: string, subject: string, body: string, id: string) => t.services.mailInbound.inbound.accept(
      eml(from, subject, body, id), { from, recipients: [route], remoteIp: '127.0.0.1', source: 'smtp' });
    await t.services.accounts.findOrCreateCustomer(ws.id, { email: 'wang@customer.example', name: '王芳', locale: 'zh-CN' });
    await mail('wang@customer.example', '发票问题', '我的发票抬头错了', 'tpl-zh@customer.example');
    await t.services.accounts.findOrCreateCustomer(ws.id, { email: 'ann@customer.example', name: 'Ann', locale: 'en' });
    await mail('ann@customer.example', 'Printer', 'The printer is offline', 'tpl-en@customer.example');
    await t.jobs.drain();

    const acks = await t.database.db.selectFrom('mail_outbox').select(['to_address', 'subject', 'text_body', 'template']).where('workspace_id', '=', ws.id).orderBy('created_at').execute();
    const zh = acks.find((m) => m.to_address.includes('wang@'))!;
    expect(zh).toMatchObject({ template: 'autoresponseCustom', subject: expect.stringMatching(/^财务加急 \[#\d+\]$/) });
    expect(zh.text_body).toMatch(/^王芳，您好：财务部会优先处理 #\d+。/);
    // The promise follows the urgency the rule set (3), not the one the mail opened the ticket with.
    expect(zh.text_body).toContain('您的请求已被标记为紧急。');
    const en = acks.find((m) => m.to_address.includes('ann@'))!;
    expect(en.subject).toMatch(/^Thanks for writing \[#\d+\]$/);
    expect(en.text_body).toMatch(/^Hello Ann, we have request #\d+\. /);

    await expect(templates.create(ws.id, { departmentId: null, urgency: null, locale: 'en', subject: 'Again', body: 'x' })).rejects.toMatchObject({ code: 'TRIAGE_TEMPLATE_TAKEN' });
    await expect(templates.create(ws.id, { departmentId: null, urgency: 1, locale: 'en', subject: 'Hi {{nmae}}', body: '{{agent}}' }))
      .rejects.toMatchObject({ code: 'TRIAGE_TEMPLATE_INVALID', details: [{ path: 'subject', code: 'PLACEHOLDER_UNKNOWN' }, { path: 'body', code: 'PLACEHOLDER_UNKNOWN' }] });
  });

  it('only suggests a department the classifier is not sure enough of, and sets one it is', async () => {
    const ws = await t.addWorkspace('suggest');
    const departments = await departmentsOf(ws);
    await seedHistory(ws.id);
    const models = await t.services.triage.train(ws.id, { strict: false });
    expect(models.map((m) => m.target)).toEqual(['department']);

    await t.services.triage.saveSettings(ws.id, { autoApplyThreshold: 1 });
    const unsure = await t.services.tickets.open(ws.id, { subject: '发票', body: '请问发票怎么开？', channel: 'web', customer: { email: 'a@customer.example', name: 'A' }, departmentKey: 'sales' }, SYSTEM);
    await t.jobs.drain();
    expect((await t.services.tickets.ticket(ws.id, unsure.id)).department_id).toBe(departments.sales);
    expect(await t.services.triage.decision(ws.id, unsure.id, 'en')).toMatchObject({
      department: { source: 'model', value: departments.finance, applied: false, confidence: expect.any(Number) }, summary: expect.stringContaining('suggests a department'),
    });

    await t.services.triage.saveSettings(ws.id, { autoApplyThreshold: 0.2 });
    const sure = await t.services.tickets.open(ws.id, { subject: 'Paper jam', body: 'The printer reports a paper jam again.', channel: 'web', customer: { email: 'b@customer.example', name: 'B' } }, SYSTEM);
    await t.jobs.drain();
    expect((await t.services.tickets.ticket(ws.id, sure.id)).department_id).toBe(departments.service);
    expect(await t.services.triage.decision(ws.id, sure.id, 'en')).toMatchObject({ department: { source: 'model', applied: true } });
  });

  it("puts an agent's correction into the next model's training data", async () => {
    const ws = await t.addWorkspace('corrections');
    const departments = await departmentsOf(ws);
    await seedHistory(ws.id);
    const [first] = await t.services.triage.train(ws.id);
    await t.services.triage.saveSettings(ws.id, { autoApplyThreshold: 0 });
    const ticket = await t.services.tickets.open(ws.id, { subject: '发票和卡纸', body: '发票开错了，打印机也卡纸。', channel: 'web', customer: { email: 'c@customer.example', name: 'C' } }, SYSTEM);
    await t.jobs.drain();
    const predicted = (await t.services.tickets.ticket(ws.id, ticket.id)).department_id;
    const corrected = predicted === departments.hr ? departments.pr! : departments.hr!;
    expect((await t.services.triage.trainingData(ws.id)).department.some((e) => e.ticketId === ticket.id)).toBe(false);

    // The agent moves it (still open): a person settled its department.
    await t.services.tickets.update(ws.id, ticket.id, { departmentId: corrected }, agentActor);
    const data = await t.services.triage.trainingData(ws.id);
    expect(data.department.find((e) => e.ticketId === ticket.id)).toMatchObject({ label: corrected, text: expect.stringContaining('发票开错了') });
    const [next] = await t.services.triage.train(ws.id);
    expect(next).toMatchObject({ target: 'department', version: first!.version + 1, examples: HISTORY.length + 1 });
    expect(next!.labels).toContain(corrected);
  });

  it('stores both of two trainings that finish at once (two nodes, or an admin and a job), as consecutive versions', async () => {
    const ws = await t.addWorkspace('concurrent-training');
    const repo = new TriageRepo(t.database.db, await Tenancy.load(t.database.db));
    const state = TriageClassifier.train([{ text: 'invoice wrong', label: 'finance' }, { text: 'paper jam', label: 'service' }]).toState();
    const model = { examples: 2, labels: ['finance', 'service'], held_out_accuracy: null, confusion: null, state };
    // Both read the newest version before either inserts: the second to insert takes the next one.
    const stored = await Promise.all([repo.insertModel(repo.in(ws.id), 'department', model), repo.insertModel(repo.in(ws.id), 'department', model)]);
    expect(stored.map((row) => row.version).sort()).toEqual([1, 2]);
    expect((await t.services.triage.modelSummaries(ws.id)).find((m) => m.target === 'department')?.version).toBe(2);
  });

  it('refuses to train on one label, and to classify empty text, with clear codes', async () => {
    const ws = await t.addWorkspace('one-class');
    await expect(t.services.triage.requestTraining(ws.id)).rejects.toMatchObject({ code: 'TRIAGE_NO_EXAMPLES', status: 422 });
    await settled(ws.id, 'service', '卡纸', '打印机卡纸');
    await settled(ws.id, 'service', 'Paper jam', 'Paper jam again');
    await expect(t.services.triage.train(ws.id, { strict: true })).rejects.toMatchObject({ code: 'TRIAGE_ONE_CLASS' });
    expect(await t.services.triage.train(ws.id)).toEqual([]);
    // The admin's request says why at once, with each target's labels, and queues nothing.
    const departments = await departmentsOf(ws);
    await expect(t.services.triage.requestTraining(ws.id)).rejects.toMatchObject({
      code: 'TRIAGE_ONE_CLASS', status: 422, details: { labels: { department: [departments.service], urgency: ['1'] } },
    });
    await t.jobs.drain();
    expect(await t.services.triage.modelSummaries(ws.id)).toEqual([]);

    await settled(ws.id, 'finance', '发票', '发票开错了', 3);
    await t.services.triage.requestTraining(ws.id);
    await t.jobs.drain();
    expect((await t.services.triage.modelSummaries(ws.id)).map((m) => [m.target, m.version])).toEqual([['department', 1], ['urgency', 1]]);
    await expect(t.services.triage.classify(ws.id, ' …？！ ')).rejects.toMatchObject({ code: 'TRIAGE_EMPTY_TEXT' });
  });

  it("records each model's size and, on the held-back fifth, its accuracy and confusion matrix", async () => {
    const ws = await t.addWorkspace('confusion');
    const departments = await departmentsOf(ws);
    // 50 settled tickets (the least a held-back fifth is taken from): about 10 of them held back.
    for (let i = 0; i < 50; i++) {
      const [key, subject, body] = HISTORY[i % HISTORY.length]!;
      await settled(ws.id, key, `${subject} ${i}`, body);
    }
    // Urgency has one label here (all normal): only the department is trained.
    await t.services.triage.train(ws.id);
    const department = (await t.services.triage.modelSummaries(ws.id)).find((m) => m.target === 'department')!;
    const labels = [departments.finance!, departments.service!].sort();
    expect(department.confusion?.labels).toEqual(labels);
    const counts = department.confusion!.counts;
    // The held-back tickets are those the hash of their id picks, whatever their place in the list.
    const held = (await t.services.triage.trainingData(ws.id)).department.filter((e) => heldBack(e.ticketId));
    expect(held.length).toBeGreaterThan(0);
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(held.length);
    // Stored as a `real`: single precision (2/3 reads back as 0.6666667).
    expect(department.heldOutAccuracy).toBeCloseTo((counts[0]![0]! + counts[1]![1]!) / held.length, 6);
    // Each row is one true label.
    expect(counts.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(labels.map((id) => held.filter((e) => e.label === id).length));
    const stored = await t.database.db.selectFrom('triage_models').select(sql<number>`octet_length(state::text)`.as('bytes'))
      .where('workspace_id', '=', ws.id).where('target', '=', 'department').executeTakeFirstOrThrow();
    expect(department.sizeBytes).toBeGreaterThan(1000);
    // Stored as jsonb (its own spacing): within a few per cent of the JSON the model was written as.
    expect(Math.abs(department.sizeBytes! - stored.bytes) / stored.bytes).toBeLessThan(0.2);
  });
});

function ticketSummary(ticket: Awaited<ReturnType<TestApp['services']['tickets']['ticket']>>) {
  return {
    id: ticket.id, number: ticket.number, subject: ticket.subject, status: ticket.status, urgency: ticket.urgency, departmentId: ticket.department_id,
    assigneeId: ticket.assignee_id, customerId: ticket.customer_id, channel: ticket.channel, createdAt: ticket.created_at.toISOString(), updatedAt: ticket.updated_at.toISOString(),
  };
}
