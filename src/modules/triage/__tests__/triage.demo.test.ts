import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { createDemoApp } from '../../../../test/helpers/demo.js';

let t: TestApp;
let workspaceId: string;
beforeAll(async () => { ({ t, workspaceId } = await createDemoApp()); });
afterAll(async () => { await t?.close(); });

describe('the demo workspace', () => {
  it('sorts new mail by its bilingual rules: lottery spam, invoices to finance, outages critical', async () => {
    expect((await t.services.triage.rules(workspaceId)).map((r) => r.conditions[0]!.type)).toEqual(['words', 'words', 'words', 'words', 'customerTags']);
    const finance = (await t.services.tickets.departments(workspaceId)).find((d) => d.key === 'finance')!.id;
    const open = (subject: string, body: string) => t.services.tickets.open(workspaceId, { subject, body, channel: 'email', customer: { email: 'demo-triage@customer.example', name: 'Demo' } }, { type: 'system', id: null });
    const spam = await open('恭喜您中奖了', '请点击链接领取奖金');
    const invoice = await open('Invoice for order 1042', 'Please send me the invoice.');
    const outage = await open('全部无法打印', '办公室所有打印机停机了');
    await t.jobs.drain();
    expect(await t.services.triage.decision(workspaceId, spam.id, 'zh-CN')).toMatchObject({ spam: true, suppressAck: true });
    expect((await t.services.tickets.ticket(workspaceId, invoice.id)).department_id).toBe(finance);
    expect(await t.services.tickets.ticket(workspaceId, outage.id)).toMatchObject({ urgency: 3, tags: ['outage'] });
  });

  it("makes a VIP customer's request urgent and tells the admins (the customer database's tags)", async () => {
    const vip = await t.services.tickets.open(workspaceId, {
      subject: '打印机报错', body: 'M900 显示错误代码 E-07', channel: 'email', customer: { email: 'zhao.min@wenyin.example', name: '赵敏' },
    }, { type: 'system', id: null });
    await t.jobs.drain();
    expect((await t.services.tickets.ticket(workspaceId, vip.id)).urgency).toBe(2);
    expect(await t.services.triage.decision(workspaceId, vip.id, 'zh-CN')).toMatchObject({ urgency: { source: 'rule', value: 2 }, notified: [null] });
  });

  it('has classifiers trained on its settled history in both languages, with a confusion matrix', async () => {
    const models = await t.services.triage.modelSummaries(workspaceId);
    expect(models.map((m) => m.target).sort()).toEqual(['department', 'urgency']);
    const departments = await t.services.tickets.departments(workspaceId);
    for (const model of models) {
      // Sixty history requests and the tickets demo's solved one: enough for the held-back fifth.
      expect(model.examples).toBeGreaterThanOrEqual(60);
      expect(model.heldOutAccuracy).not.toBeNull();
      expect(model.confusion!.labels).toEqual(model.labels);
      expect(model.confusion!.counts.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }
    const department = models.find((m) => m.target === 'department')!;
    expect(department.labels.map((id) => departments.find((d) => d.id === id)!.key).sort()).toEqual(['finance', 'hr', 'pr', 'sales', 'service']);
    expect(models.find((m) => m.target === 'urgency')!.labels).toEqual(['0', '1', '2', '3', '4']);
    const trainingData = await t.services.triage.trainingData(workspaceId);
    expect(trainingData.department.some((e) => /[\u4e00-\u9fff]/.test(e.text))).toBe(true);
    expect(trainingData.department.some((e) => /^[\x20-\x7e\n]+$/.test(e.text))).toBe(true);
    const [prediction] = await t.services.triage.classify(workspaceId, '新买的墨盒装上后打印机一直卡纸');
    expect(prediction).toMatchObject({ target: 'department', value: departments.find((d) => d.key === 'service')!.id });
  });

  it('has answer templates for finance and for critical requests, in both languages', async () => {
    const finance = (await t.services.tickets.departments(workspaceId)).find((d) => d.key === 'finance')!.id;
    const templates = await t.services.triage.templates.list(workspaceId);
    expect(templates.map((x) => [x.department_id, x.urgency, x.locale])).toEqual(expect.arrayContaining([
      [finance, null, 'zh-CN'], [finance, null, 'en'], [null, 3, 'zh-CN'], [null, 3, 'en'],
    ]));
    // A new invoice mail in English is finance's (by the rule) and is acknowledged with finance's English template.
    const invoice = await t.services.tickets.open(workspaceId, {
      subject: 'Invoice copy please', body: 'Could you send me a copy of the invoice for order 2231?', channel: 'email', customer: { email: 'demo-template@customer.example', name: 'Demo', locale: 'en' },
    }, { type: 'system', id: null });
    await t.jobs.drain();
    expect(await t.services.triage.acknowledgement(workspaceId, invoice.id, 'en')).toMatchObject({ suppressed: false, template: { subject: 'Finance received your message: {{subject}}' } });
  });

  it('has its automations on and one bulk mail parked in the spam view', async () => {
    expect(await t.services.triage.automations.settings(workspaceId)).toMatchObject({
      remind: { enabled: true }, escalate: { enabled: true }, autoClose: { enabled: true, afterDays: 7 }, duplicates: { enabled: true, windowMinutes: 10 }, spam: { enabled: true },
    });
    const { tickets } = await t.services.tickets.inbox(workspaceId, (await t.services.accounts.listAgents(workspaceId))[0]!.id, { view: 'all', tag: 'spam' });
    const parked = tickets.find((x) => x.subject.includes('Toner 90% off'));
    expect(parked).toMatchObject({ status: 'closed', tags: ['spam'] });
    expect(await t.services.triage.decision(workspaceId, parked!.id, 'en')).toMatchObject({ spam: true, spamSignals: expect.arrayContaining(['blocklist', 'links']) });
  });
});
