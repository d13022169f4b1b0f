/**
 * Settings → Chat in a real browser: an admin changes the chat settings in Chinese at phone width
 * (an offer timeout out of range and an empty service-level box are named under their fields; the
 * team for new chats and business hours change); in English, a team's chat queue gets a strategy and
 * an overflow, with a missing number of seconds named under its field, and loses the overflow again.
 * Every change is checked through the API.
 */
import { describe, expect, it } from 'vitest';
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import settingsZh from '../../web/console/src/features/settings/locales/zh-CN.json' with { type: 'json' };
import { PHONE, named, pageFitsWidth, settingsHarness } from './settings-harness.js';

const h = settingsHarness();

interface Team { id: string; key: string; name: Record<string, string>; chatStrategy: string; overflowDepartmentId: string | null; overflowAfterSeconds: number | null }
const teams = async () => (await h.api('GET', '/routing/departments')).body.departments as Team[];
const team = async (key: string) => (await teams()).find((d) => d.key === key)!;

describe('Settings → Chat → General', () => {
  it('an admin changes the chat settings in Chinese on a phone, with bad values named under their fields', async () => {
    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/chat', PHONE);
    try {
      const form = page.getByRole('form', { name: settingsZh.chat.title });
      const offer = form.getByLabel(settingsZh.chat.offerTimeoutSeconds, { exact: true });
      await offer.fill('2');
      await form.getByLabel(settingsZh.chat.serviceLevelSeconds, { exact: true }).fill('');
      await form.getByRole('button', { name: settingsZh.save }).click();
      await form.getByText(settingsZh.fieldRules.offerTimeout).waitFor();
      await form.getByText(settingsZh.fieldRules.serviceLevel).waitFor();
      await expect(offer.getAttribute('aria-invalid')).resolves.toBe('true');
      expect((await h.api('GET', '/chat/settings')).body.offerTimeoutSeconds).toBe(20);

      const sales = await team('sales');
      await offer.fill('45');
      await form.getByLabel(settingsZh.chat.serviceLevelSeconds, { exact: true }).fill('30');
      await form.getByLabel(settingsZh.chat.defaultDepartment, { exact: true }).selectOption(sales.id);
      await form.getByLabel(settingsZh.chat.respectBusinessHours).uncheck();
      await form.getByRole('button', { name: settingsZh.save }).click();
      await page.getByText(settingsZh.chat.saved).waitFor();
      expect((await h.api('GET', '/chat/settings')).body).toMatchObject({
        offerTimeoutSeconds: 45, serviceLevelSeconds: 30, defaultDepartmentId: sales.id, respectBusinessHours: false, acwSeconds: 30,
      });
      expect(await pageFitsWidth(page)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('Settings → Chat → Queues', () => {
  it('an admin sets a team\'s chat strategy and overflow, is told the seconds are missing, and takes the overflow off again', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/chat/queues');
    try {
      const [service, sales] = [await team('service'), await team('sales')];
      const row = page.getByRole('row').filter({ hasText: service.name.en! });
      await row.getByRole('button', { name: named(settingsEn.editNamed, { name: service.name.en! }) }).click();
      const editor = page.getByRole('form', { name: named(settingsEn.chat.editQueue, { team: service.name.en! }) });
      await editor.getByLabel(settingsEn.chat.strategy, { exact: true }).selectOption('longest_idle');
      await editor.getByLabel(settingsEn.chat.overflowTeam, { exact: true }).selectOption(sales.id);
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.getByText(settingsEn.fieldRules.overflowAfter).waitFor();
      expect((await team('service')).overflowDepartmentId).toBeNull();

      await editor.getByLabel(settingsEn.chat.overflowAfterSeconds, { exact: true }).fill('90');
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.waitFor({ state: 'detached' });
      await row.getByText(named(settingsEn.chat.overflowTo, { team: sales.name.en!, seconds: '90' })).waitFor();
      expect(await team('service')).toMatchObject({ chatStrategy: 'longest_idle', overflowDepartmentId: sales.id, overflowAfterSeconds: 90 });

      await row.getByRole('button', { name: named(settingsEn.editNamed, { name: service.name.en! }) }).click();
      await editor.getByLabel(settingsEn.chat.overflowTeam, { exact: true }).selectOption('');
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.waitFor({ state: 'detached' });
      await row.getByText(settingsEn.chat.noOverflow).waitFor();
      expect(await team('service')).toMatchObject({ chatStrategy: 'longest_idle', overflowDepartmentId: null, overflowAfterSeconds: null });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
