/**
 * Settings → Canned replies, Webhooks and the Audit log in a real browser: an admin adds, edits
 * (language too) and deletes a canned reply; adds a webhook, reads its delivery log, sends a
 * delivery again, edits and deletes it; bad input is named under its field; the audit log shows
 * what was done and filters it by action, who acted and days (a backwards range named under its
 * field, in both languages). Each change is checked through the API.
 */
import { afterAll, describe, expect, it } from 'vitest';
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import settingsZh from '../../web/console/src/features/settings/locales/zh-CN.json' with { type: 'json' };
import { startReceiver, type Receiver } from '../../src/modules/webhooks/__tests__/receiver.js';
import { PHONE, named, pageFitsWidth, settingsHarness } from './settings-harness.js';

const h = settingsHarness();
const canned = async () => (await h.api('GET', '/canned-replies')).body.cannedReplies as { id: string; title: string; body: string; locale: string | null }[];
let receiver: Receiver | undefined;
afterAll(async () => { await receiver?.close(); });

describe('Settings → Canned replies', () => {
  it('an admin adds a reply in Chinese, edits its text and language, filters by language and deletes it', async () => {
    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/canned', PHONE);
    try {
      const form = page.getByRole('form', { name: settingsZh.canned.add });
      await form.getByLabel(settingsZh.canned.title, { exact: true }).fill('保修说明');
      await form.getByLabel(settingsZh.canned.language, { exact: true }).selectOption('zh-CN');
      await form.getByLabel(settingsZh.canned.body, { exact: true }).fill('您好 {{customer.name}}，产品保修期为一年。');
      await form.getByRole('button', { name: settingsZh.canned.addButton }).click();
      const row = page.getByRole('row').filter({ hasText: '保修说明' });
      await row.waitFor();
      expect((await canned()).find((c) => c.title === '保修说明')).toMatchObject({ locale: 'zh-CN', body: '您好 {{customer.name}}，产品保修期为一年。' });

      await row.getByRole('button', { name: named(settingsZh.editNamed, { name: '保修说明' }) }).click();
      const editor = page.getByRole('form', { name: named(settingsZh.canned.editTitle, { title: '保修说明' }) });
      await editor.getByLabel(settingsZh.canned.title, { exact: true }).fill('  ');
      await editor.getByRole('button', { name: settingsZh.save }).click();
      await editor.getByText(settingsZh.fieldRules.required).waitFor();
      await editor.getByLabel(settingsZh.canned.title, { exact: true }).fill('Warranty');
      await editor.getByLabel(settingsZh.canned.language, { exact: true }).selectOption('en');
      await editor.getByLabel(settingsZh.canned.body, { exact: true }).fill('Hello {{customer.name}}, the warranty lasts one year.');
      await editor.getByRole('button', { name: settingsZh.save }).click();
      await editor.waitFor({ state: 'detached' });
      expect((await canned()).find((c) => c.title === 'Warranty')).toMatchObject({ locale: 'en', body: 'Hello {{customer.name}}, the warranty lasts one year.' });

      await page.getByLabel(settingsZh.canned.filter).selectOption('zh-CN');
      await page.getByText(settingsZh.canned.empty).waitFor();
      await page.getByLabel(settingsZh.canned.filter).selectOption('en');
      const warranty = page.getByRole('row').filter({ hasText: 'Warranty' });
      await warranty.waitFor();
      expect(await pageFitsWidth(page)).toBe(true);
      await warranty.getByRole('button', { name: named(settingsZh.deleteNamed, { name: 'Warranty' }) }).click();
      await warranty.waitFor({ state: 'detached' });
      expect(await canned()).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('Settings → Webhooks', () => {
  it('an admin adds a webhook, sees its secret once, reads the delivery log, sends one again, edits and deletes it', async () => {
    receiver = await startReceiver();
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/webhooks');
    try {
      const form = page.getByRole('form', { name: settingsEn.webhooks.add });
      await form.getByLabel(settingsEn.webhooks.url, { exact: true }).fill('ftp://files.example.com/hook');
      await form.getByRole('button', { name: settingsEn.webhooks.addButton }).click();
      await form.getByText(settingsEn.fieldRules.url).waitFor();
      await expect(form.getByLabel(settingsEn.webhooks.url, { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');

      await form.getByLabel(settingsEn.webhooks.url, { exact: true }).fill(receiver.url);
      await form.getByLabel(settingsEn.webhooks.description, { exact: true }).fill('Our CRM');
      await form.getByRole('button', { name: settingsEn.webhooks.addButton }).click();
      await expect(page.getByLabel(settingsEn.webhooks.secret).textContent()).resolves.toMatch(/\S{16,}/);
      const [hook] = (await h.api('GET', '/webhooks')).body.webhooks;
      expect(hook).toMatchObject({ url: receiver.url, description: 'Our CRM', events: ['ticket.*'], active: true });

      // A ticket makes a delivery; the log shows it, and it can be sent again.
      expect((await h.api('POST', '/tickets', { subject: 'Printer jam', body: 'Paper is stuck.', customer: { email: 'li.lei@example.com', name: 'Li Lei' } })).status).toBe(201);
      await h.server().test.jobs.drain();
      await expect.poll(() => receiver!.received.length).toBeGreaterThan(0);
      await page.getByRole('link', { name: receiver.url }).click();
      await page.waitForURL(/\/agent\/settings\/webhooks\/[0-9a-f-]{36}$/);
      const delivered = page.getByRole('row').filter({ hasText: 'ticket.created' });
      await delivered.filter({ hasText: settingsEn.webhooks.statuses.succeeded }).waitFor();
      const before = receiver.received.length;
      await delivered.getByRole('button', { name: settingsEn.webhooks.redeliver }).click();
      await page.getByRole('row').filter({ hasText: settingsEn.webhooks.again }).waitFor();
      await h.server().test.jobs.drain();
      await expect.poll(() => receiver!.received.length).toBe(before + 1);
      const deliveries = (await h.api('GET', `/webhooks/${hook.id}/deliveries`)).body.deliveries as { redeliveryOf: string | null }[];
      expect(deliveries.filter((d) => d.redeliveryOf !== null)).toHaveLength(1);

      // Edit: another event set; then delete.
      await page.getByRole('link', { name: settingsEn.webhooks.back }).click();
      const row = page.getByRole('row').filter({ hasText: receiver.url });
      await row.getByRole('button', { name: named(settingsEn.editNamed, { name: receiver.url }) }).click();
      const editor = page.getByRole('form', { name: settingsEn.webhooks.editTitle });
      await editor.getByLabel('ticket.*').uncheck();
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.getByText(settingsEn.fieldRules.events).waitFor();
      await editor.getByLabel('sla.*').check();
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.waitFor({ state: 'detached' });
      expect((await h.api('GET', `/webhooks/${hook.id}`)).body.events).toEqual(['sla.*']);
      await row.getByRole('button', { name: named(settingsEn.deleteNamed, { name: receiver.url }) }).click();
      await row.waitFor({ state: 'detached' });
      expect((await h.api('GET', '/webhooks')).body.webhooks).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('Settings → Audit log', () => {
  // Days as the browser's date inputs take them, in the machine's zone (the browser's too).
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toLocaleDateString('sv');

  it('lists what admins did, newest first, and filters by action, by who acted and by days', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/audit');
    try {
      await page.getByRole('row').filter({ hasText: 'webhook.deleted' }).waitFor();
      await page.getByLabel(settingsEn.audit.action).selectOption('webhook.created');
      const rows = page.getByRole('row').filter({ hasText: 'webhook.' });
      await expect.poll(() => rows.count()).toBe(1);
      await expect(rows.first().textContent()).resolves.toContain(h.server().admin.name);
      const entries = (await h.api('GET', '/audit-log')).body.entries as { action: string }[];
      expect(entries.filter((e) => e.action === 'webhook.created')).toHaveLength(1);

      // The plain agent did none of it; the admin did.
      await page.getByLabel(settingsEn.audit.actor).selectOption({ label: h.agent.name });
      await page.getByText(settingsEn.audit.empty).waitFor();
      await page.getByLabel(settingsEn.audit.actor).selectOption({ label: h.server().admin.name });
      await expect.poll(() => rows.count()).toBe(1);

      // Days: a range that ends before it starts is named under its last day; today finds the entry, tomorrow nothing.
      await page.getByLabel(settingsEn.audit.from, { exact: true }).fill(day(0));
      await page.getByLabel(settingsEn.audit.to, { exact: true }).fill(day(-1));
      await page.getByText(settingsEn.fieldRules.dateRange).waitFor();
      await expect(page.getByLabel(settingsEn.audit.to, { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
      await page.getByLabel(settingsEn.audit.to, { exact: true }).fill(day(0));
      await expect.poll(() => rows.count()).toBe(1);
      await page.getByLabel(settingsEn.audit.to, { exact: true }).fill('');
      await page.getByLabel(settingsEn.audit.from, { exact: true }).fill(day(1));
      await page.getByText(settingsEn.audit.empty).waitFor();

      await page.getByRole('button', { name: settingsEn.audit.clear }).click();
      await page.getByRole('row').filter({ hasText: 'webhook.deleted' }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('names a range of days that ends before it starts, in Chinese on a phone', async () => {
    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/audit', PHONE);
    try {
      await page.getByRole('row').filter({ hasText: 'webhook.deleted' }).waitFor();
      await page.getByLabel(settingsZh.audit.from, { exact: true }).fill(day(0));
      await page.getByLabel(settingsZh.audit.to, { exact: true }).fill(day(-2));
      await page.getByText(settingsZh.fieldRules.dateRange).waitFor();
      expect(await pageFitsWidth(page)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
