/**
 * Settings → Triage in a real browser: an admin adds a rule with Chinese words (in Chinese, at
 * phone width), tries it on the newest tickets, sees it in the list, turns it off and deletes it; a rule that contradicts another
 * is refused with the reason; the classifier tab saves the threshold and asks for retraining. Each
 * change is checked through the API. In the inbox, an agent accepts the classifier's suggestion on a
 * ticket with one click, which makes the ticket a labelled example. The automations tab refuses
 * hours out of range (nothing saved) and saves the automations; a ticket parked as spam is
 * restored with "Not spam" in the inbox. The templates tab refuses an unknown placeholder on its
 * field (nothing saved), previews the text with sample values, saves a template per department ×
 * urgency × language and refuses a second one for the same combination.
 */
import { describe, expect, it } from 'vitest';
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import settingsZh from '../../web/console/src/features/settings/locales/zh-CN.json' with { type: 'json' };
import consoleEn from '../../web/console/src/locales/en.json' with { type: 'json' };
import consoleZh from '../../web/console/src/locales/zh-CN.json' with { type: 'json' };
import { PHONE, pageFitsWidth, settingsHarness } from './settings-harness.js';

const h = settingsHarness();
const SYSTEM = { type: 'system' as const, id: null };
const named = (template: string, values: Record<string, string>) => template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? '');
const rules = async () => (await h.api('GET', '/triage/rules')).body.rules as { id: string; name: string; enabled: boolean; conditions: { words?: string[] }[]; actions: { type: string; departmentId?: string }[] }[];

describe('Settings → Triage', () => {
  it('an admin adds a rule with Chinese words, turns it off, and deletes it; a contradicting rule is refused', async () => {
    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/triage', PHONE);
    try {
      const zh = settingsZh.triage;
      const finance = (await h.api('GET', '/departments')).body.departments.find((d: { key: string }) => d.key === 'finance');
      const { services, workspace } = h.server().test;
      const invoice = await services.tickets.open(workspace.id, { subject: '发票开错了', body: '请重新开具发票', channel: 'email', customer: { email: 'fp@customer.example', name: '客户' } }, { type: 'system', id: null });
      const form = page.getByRole('form', { name: zh.add });
      await form.getByLabel(zh.name, { exact: true }).fill('发票 → 财务');
      await form.getByLabel(zh.words).fill('发票、退款');
      await form.getByLabel(zh.department).selectOption(finance.id);
      // Tried on the newest tickets first: the invoice ticket would go to finance.
      await form.getByRole('button', { name: zh.try }).click();
      await form.getByRole('status').getByText(`#${invoice.number} 发票开错了`).waitFor();
      await form.getByRole('button', { name: zh.addButton }).click();
      const row = page.getByRole('row').filter({ hasText: '发票 → 财务' });
      await row.waitFor();
      expect((await rules()).find((r) => r.name === '发票 → 财务')).toMatchObject({
        enabled: true, conditions: [{ words: ['发票', '退款'] }], actions: [{ type: 'setDepartment', departmentId: finance.id }],
      });
      expect(await pageFitsWidth(page)).toBe(true);

      // The same words to another department: refused, with the reason above the form.
      const sales = (await h.api('GET', '/departments')).body.departments.find((d: { key: string }) => d.key === 'sales');
      await form.getByLabel(zh.name, { exact: true }).fill('发票 → 销售');
      await form.getByLabel(zh.words).fill('发票、退款');
      await form.getByLabel(zh.department).selectOption(sales.id);
      await form.getByRole('button', { name: zh.addButton }).click();
      await page.getByText(settingsZh.errors.TRIAGE_RULE_CONTRADICTS).waitFor();
      expect((await rules()).some((r) => r.name === '发票 → 销售')).toBe(false);

      await row.getByRole('button', { name: named(zh.turnOff, { name: '发票 → 财务' }) }).click();
      await row.getByRole('button', { name: named(zh.turnOn, { name: '发票 → 财务' }) }).waitFor();
      await expect.poll(async () => (await rules()).find((r) => r.name === '发票 → 财务')?.enabled).toBe(false);
      await row.getByRole('button', { name: named(settingsZh.deleteNamed, { name: '发票 → 财务' }) }).click();
      await row.waitFor({ state: 'detached' });
      expect(await rules()).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('an admin saves the classifier threshold and asks for retraining', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/triage/classifier');
    try {
      const en = settingsEn.triage;
      await page.getByLabel(en.threshold).fill('0.85');
      await page.getByRole('form', { name: en.settings }).getByRole('button', { name: settingsEn.save }).click();
      await expect.poll(async () => (await h.api('GET', '/triage/settings')).body.autoApplyThreshold).toBeCloseTo(0.85, 5);
      await page.getByText(en.noModels).waitFor();
      // Nothing settled yet: the reason at once, nothing queued.
      await page.getByRole('button', { name: en.retrain }).click();
      await page.getByText(settingsEn.errors.TRIAGE_NO_EXAMPLES).waitFor();
      const { services, workspace } = h.server().test;
      for (const [key, subject] of [['finance', 'Invoice copy'], ['service', 'Toner smears']] as const) {
        const ticket = await services.tickets.open(workspace.id, { subject, body: subject, channel: 'web', customer: { email: 'retrain@customer.example', name: 'R' }, departmentKey: key }, SYSTEM);
        await services.tickets.update(workspace.id, ticket.id, { status: 'solved' }, { type: 'agent', id: workspace.admin.id });
      }
      await page.getByRole('button', { name: en.retrain }).click();
      await page.getByText(en.retrainQueued).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('an agent accepts the classifier\'s suggestion on a ticket with one click', async () => {
    const { services, workspace } = h.server().test;
    const agentActor = { type: 'agent' as const, id: workspace.admin.id };
    for (const [key, subject] of [['finance', 'Invoice is wrong'], ['finance', 'Refund not received'], ['finance', 'Invoice copy please'], ['service', 'Paper jam'], ['service', 'Printer offline'], ['service', 'Faint prints']] as const) {
      const ticket = await services.tickets.open(workspace.id, { subject, body: subject, channel: 'web', customer: { email: 'history@customer.example', name: 'History' }, departmentKey: key }, SYSTEM);
      await services.tickets.update(workspace.id, ticket.id, { status: 'solved' }, agentActor);
    }
    await services.triage.train(workspace.id);
    await services.triage.saveSettings(workspace.id, { autoApplyThreshold: 1 });
    const ticket = await services.tickets.open(workspace.id, { subject: 'My invoice', body: 'The invoice has the wrong address', channel: 'web', customer: { email: 'sugg@customer.example', name: 'Sugg' }, departmentKey: 'sales' }, SYSTEM);
    await expect.poll(async () => (await services.triage.decision(workspace.id, ticket.id, 'en'))?.department.source).toBe('model');
    const finance = (await h.api('GET', '/departments')).body.departments.find((d: { key: string }) => d.key === 'finance');

    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, `/agent/inbox/${ticket.number}`);
    try {
      const name = finance.name.en as string;
      await page.getByText(consoleEn.inbox.triage.department.replace('{{name}}', name).split(' (')[0]!).waitFor();
      await page.getByRole('button', { name: consoleEn.inbox.triage.accept.replace('{{name}}', name) }).click();
      await expect.poll(async () => (await services.tickets.ticket(workspace.id, ticket.id)).department_id).toBe(finance.id);
      expect((await services.triage.trainingData(workspace.id)).department.find((e) => e.ticketId === ticket.id)?.label).toBe(finance.id);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('an admin saves the automations; out-of-range hours are refused and change nothing', async () => {
    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/triage/automations', PHONE);
    try {
      const zh = settingsZh.triage.automations;
      const before = (await h.api('GET', '/triage/automations')).body;
      const form = page.getByRole('form', { name: settingsZh.triage.tabs.automations });
      await form.getByLabel(zh.remind.enabled).check();
      await form.getByLabel(zh.remind.afterHours).fill('0');
      await form.getByRole('button', { name: settingsZh.save }).click();
      await page.getByText(settingsZh.checkFields).waitFor();
      expect(await form.getByLabel(zh.remind.afterHours).getAttribute('aria-invalid')).toBe('true');
      expect((await h.api('GET', '/triage/automations')).body).toEqual(before);

      await form.getByLabel(zh.remind.afterHours).fill('6');
      await form.getByLabel(zh.autoClose.enabled).check();
      await form.getByLabel(zh.autoClose.afterDays).fill('10');
      await form.getByLabel(zh.spam.enabled).check();
      await form.getByLabel(zh.spam.blocklist).fill('spam.example\nbad@mail.example');
      await form.getByRole('button', { name: settingsZh.save }).click();
      await page.getByText(zh.saved).waitFor();
      // The form is made anew from the reloaded settings; the notice stays.
      await page.waitForLoadState('networkidle');
      expect(await page.getByText(zh.saved).isVisible()).toBe(true);
      expect((await h.api('GET', '/triage/automations')).body).toMatchObject({
        remind: { enabled: true, afterHours: 6 }, autoClose: { enabled: true, afterDays: 10 }, spam: { enabled: true, blocklist: ['spam.example', 'bad@mail.example'] },
      });
      expect(await pageFitsWidth(page)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('an agent takes a ticket parked as spam out of the spam view with one click', async () => {
    const { services, workspace } = h.server().test;
    const automations = await services.triage.automations.settings(workspace.id);
    await services.triage.automations.saveSettings(workspace.id, { ...automations, spam: { enabled: true, threshold: 5, blocklist: ['blocked-sender.example'] } }, { type: 'system', id: null });
    const ticket = await services.tickets.open(workspace.id, { subject: 'Quarterly catalogue', body: 'Our new catalogue is out.', channel: 'email', customer: { email: 'sales@blocked-sender.example', name: 'Catalogue' } }, { type: 'system', id: null });
    // Decided here rather than awaiting the event relay (its pace differs by driver); its own delivery then finds the decision.
    await services.triage.decide(workspace.id, ticket.id);
    expect((await services.tickets.ticket(workspace.id, ticket.id)).status).toBe('closed');

    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/inbox');
    try {
      // The inbox's Spam view lists it (closed, tagged spam); the ticket says why and offers "Not spam".
      await page.getByRole('navigation', { name: consoleZh.inbox.views.label }).getByRole('link', { name: consoleZh.inbox.views.spam }).click();
      await page.getByRole('link', { name: /Quarterly catalogue/ }).click();
      await page.getByText(consoleZh.inbox.triage.spam.split('（')[0]!.split(' (')[0]!).waitFor();
      await page.getByRole('button', { name: consoleZh.inbox.triage.notSpam }).click();
      await expect.poll(async () => (await services.tickets.ticket(workspace.id, ticket.id)).status).toBe('open');
      expect((await services.tickets.ticket(workspace.id, ticket.id)).tags).toEqual([]);
      await page.getByRole('button', { name: consoleZh.inbox.triage.notSpam }).waitFor({ state: 'detached' });
      // The activity log names what triage did, in the agent's language.
      await page.getByRole('region', { name: consoleZh.inbox.activityLog.title }).getByText(consoleZh.inbox.activity.triage.notSpam).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('an admin writes an answer template: unknown placeholders are marked on their field, the preview fills in samples', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/triage/templates');
    try {
      const en = settingsEn.triage.templates;
      const finance = (await h.api('GET', '/departments')).body.departments.find((d: { key: string }) => d.key === 'finance');
      const form = page.getByRole('form', { name: en.add });
      await form.getByLabel(en.department).selectOption(finance.id);
      await form.getByLabel(en.urgency).selectOption('2');
      await form.getByLabel(en.locale).selectOption('zh-CN');
      await form.getByLabel(en.subject, { exact: true }).fill('财务已收到：{{subject}}');
      await form.getByLabel(en.body).fill('{{nmae}}，您好：财务部会优先处理 #{{number}}。{{expectation}}');
      await form.getByText(named(en.unknownPlaceholders, { names: '{{nmae}}' })).waitFor();
      expect(await form.getByLabel(en.body).getAttribute('aria-invalid')).toBe('true');
      await form.getByRole('button', { name: en.addButton }).click();
      expect((await h.api('GET', '/triage/templates')).body.templates).toEqual([]);

      await form.getByLabel(en.body).fill('{{name}}，您好：财务部会优先处理 #{{number}}。{{expectation}}');
      await form.getByText(named(en.unknownPlaceholders, { names: '{{nmae}}' })).waitFor({ state: 'detached' });
      // The preview speaks the template's language, whatever the console's.
      const preview = form.getByRole('region', { name: en.preview });
      await preview.getByText(`财务已收到：${settingsZh.triage.templates.samples.subject} [#1042]`).waitFor();
      await preview.getByText(`${settingsZh.triage.templates.samples.name}，您好：财务部会优先处理 #1042。`, { exact: false }).waitFor();
      await form.getByRole('button', { name: en.addButton }).click();
      await page.getByRole('row').filter({ hasText: '财务已收到：{{subject}}' }).waitFor();
      expect((await h.api('GET', '/triage/templates')).body.templates).toMatchObject([
        { departmentId: finance.id, urgency: 2, locale: 'zh-CN', subject: '财务已收到：{{subject}}', body: '{{name}}，您好：财务部会优先处理 #{{number}}。{{expectation}}' },
      ]);

      // The same department, urgency and language again: refused on the language field.
      await form.getByLabel(en.department).selectOption(finance.id);
      await form.getByLabel(en.urgency).selectOption('2');
      await form.getByLabel(en.locale).selectOption('zh-CN');
      await form.getByLabel(en.subject, { exact: true }).fill('Again');
      await form.getByLabel(en.body).fill('Again');
      await form.getByRole('button', { name: en.addButton }).click();
      await form.getByText(en.taken).waitFor();
      expect((await h.api('GET', '/triage/templates')).body.templates).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("an admin sees each model's size, held-back accuracy and confusion matrix", async () => {
    const { services, workspace } = h.server().test;
    const agentActor = { type: 'agent' as const, id: workspace.admin.id };
    const history = [['finance', 'Invoice is wrong'], ['finance', 'Refund not received'], ['service', 'Paper jam'], ['service', 'Printer offline'], ['sales', 'Quote for printers']] as const;
    for (let i = 0; i < 50; i++) {
      const [key, subject] = history[i % history.length]!;
      const ticket = await services.tickets.open(workspace.id, { subject: `${subject} ${i}`, body: subject, channel: 'web', customer: { email: 'matrix@customer.example', name: 'Matrix' }, departmentKey: key }, SYSTEM);
      await services.tickets.update(workspace.id, ticket.id, { status: 'solved' }, agentActor);
    }
    await services.triage.train(workspace.id);
    const department = (await h.api('GET', '/triage/models')).body.models.find((m: { target: string }) => m.target === 'department');
    expect(department.confusion.labels.length).toBeGreaterThanOrEqual(3);

    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/triage/classifier', PHONE);
    try {
      const zh = settingsZh.triage;
      const title = named(zh.confusion.title, { target: zh.targets.department });
      const section = page.getByRole('region', { name: title });
      await section.getByRole('img', { name: title }).waitFor();
      // The same numbers as a table: one row per settled department, the diagonal what it got right.
      const teamsByKey = (await h.api('GET', '/departments')).body.departments as { id: string; name: { 'zh-CN': string } }[];
      const first = department.confusion.labels[0] as string;
      const row = section.getByRole('row', { name: teamsByKey.find((d) => d.id === first)!.name['zh-CN'] });
      await expect.poll(async () => (await row.getByRole('cell').allTextContents()).map(Number)).toEqual(department.confusion.counts[0]);
      const accuracy = `${(department.heldOutAccuracy * 100).toFixed(1)} %`;
      await page.getByRole('row').filter({ hasText: zh.targets.department }).filter({ hasText: accuracy }).filter({ hasText: 'KiB' }).first().waitFor();
      expect(await pageFitsWidth(page)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
