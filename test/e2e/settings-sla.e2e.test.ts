/**
 * Settings → SLA in a real browser: an admin adds a policy, edits its targets and deletes it; a
 * target of 0 minutes and a second policy for the same urgency are named under their fields; the
 * business hours, a holiday and a make-up working day are saved (in Chinese, at phone width) and
 * an hour range that is not one is named under its day. Each change is checked through the API.
 */
import { describe, expect, it } from 'vitest';
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import settingsZh from '../../web/console/src/features/settings/locales/zh-CN.json' with { type: 'json' };
import { PHONE, named, pageFitsWidth, settingsHarness } from './settings-harness.js';

const h = settingsHarness();
const policies = async () => (await h.api('GET', '/sla/policies')).body.policies as { id: string; name: string; urgency: number; departmentId: string | null; firstResponseMinutes: number | null; resolutionMinutes: number | null; warningMinutes: number }[];

describe('Settings → SLA policies', () => {
  it('an admin adds a policy, changes its targets, and deletes it', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/sla');
    try {
      const form = page.getByRole('form', { name: settingsEn.sla.add });
      await form.getByLabel(settingsEn.sla.name, { exact: true }).fill('Urgent sales');
      await form.getByLabel(settingsEn.sla.urgency, { exact: true }).selectOption('3');
      const sales = (await h.api('GET', '/departments')).body.departments.find((d: { key: string }) => d.key === 'sales');
      await form.getByLabel(settingsEn.sla.department, { exact: true }).selectOption(sales.id);
      await form.getByLabel(settingsEn.sla.firstResponseMinutes).fill('30');
      await form.getByLabel(settingsEn.sla.resolutionMinutes).fill('480');
      await form.getByLabel(settingsEn.sla.warningMinutes).fill('10');
      await form.getByRole('button', { name: settingsEn.sla.addButton }).click();
      const row = page.getByRole('row').filter({ hasText: 'Urgent sales' });
      await row.waitFor();
      expect((await policies()).find((p) => p.name === 'Urgent sales')).toMatchObject({
        urgency: 3, departmentId: sales.id, firstResponseMinutes: 30, resolutionMinutes: 480, warningMinutes: 10,
      });

      // A target of 0 minutes is refused and named; then a good edit.
      await row.getByRole('button', { name: named(settingsEn.editNamed, { name: 'Urgent sales' }) }).click();
      const editor = page.getByRole('form', { name: named(settingsEn.sla.editTitle, { name: 'Urgent sales' }) });
      await editor.getByLabel(settingsEn.sla.firstResponseMinutes).fill('0');
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.getByText(settingsEn.fieldRules.minutes).waitFor();
      await expect(editor.getByLabel(settingsEn.sla.firstResponseMinutes).getAttribute('aria-invalid')).resolves.toBe('true');
      await editor.getByLabel(settingsEn.sla.firstResponseMinutes).fill('20');
      await editor.getByLabel(settingsEn.sla.resolutionMinutes).fill('');
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.waitFor({ state: 'detached' });
      expect((await policies()).find((p) => p.name === 'Urgent sales')).toMatchObject({ firstResponseMinutes: 20, resolutionMinutes: null });

      // A second policy for the same urgency and department is named at the urgency.
      await form.getByLabel(settingsEn.sla.name, { exact: true }).fill('Duplicate');
      await form.getByLabel(settingsEn.sla.urgency, { exact: true }).selectOption('3');
      await form.getByLabel(settingsEn.sla.department, { exact: true }).selectOption(sales.id);
      await form.getByRole('button', { name: settingsEn.sla.addButton }).click();
      await form.getByText(settingsEn.fieldRules.conflict).waitFor();
      expect((await policies()).some((p) => p.name === 'Duplicate')).toBe(false);

      await row.getByRole('button', { name: named(settingsEn.deleteNamed, { name: 'Urgent sales' }) }).click();
      await row.waitFor({ state: 'detached' });
      expect((await policies()).some((p) => p.name === 'Urgent sales')).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('Settings → business hours and holidays', () => {
  it('an admin sets the hours, a holiday and a make-up working day in Chinese at phone width, and is told about a bad range', async () => {
    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/sla/calendar', PHONE);
    try {
      const form = page.getByRole('form', { name: settingsZh.calendar.title });
      await form.getByLabel(settingsZh.calendar.timeZone).fill('Asia/Shanghai');
      await form.getByLabel(settingsZh.calendar.days.mon).fill('09:00-12:00, 13:30-18:00');
      await form.getByLabel(settingsZh.calendar.days.sat).fill('');
      await form.getByRole('button', { name: settingsZh.calendar.add.holidays }).click();
      await form.getByLabel(settingsZh.calendar.date).first().fill('2027-10-01');
      await form.getByLabel(settingsZh.calendar.dayName).first().fill('国庆节');
      await form.getByRole('button', { name: settingsZh.calendar.add.workdays }).click();
      await form.getByLabel(settingsZh.calendar.date).nth(1).fill('2027-10-09');
      await form.getByLabel(settingsZh.calendar.dayName).nth(1).fill('国庆调休');
      await form.getByRole('button', { name: settingsZh.calendar.save }).click();
      await page.getByText(settingsZh.calendar.saved).waitFor();
      const saved = (await h.api('GET', '/sla/calendar')).body;
      expect(saved).toMatchObject({
        timeZone: 'Asia/Shanghai',
        weeklyHours: { mon: [{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }], sat: [] },
        holidays: [{ date: '2027-10-01', name: '国庆节' }],
        workdays: [{ date: '2027-10-09', name: '国庆调休' }],
      });

      // A range that ends before it starts is named under its day; nothing changes.
      await form.getByLabel(settingsZh.calendar.days.tue).fill('18:00-09:00');
      await form.getByRole('button', { name: settingsZh.calendar.save }).click();
      await form.getByText(settingsZh.fieldRules.time).waitFor();
      await expect(form.getByLabel(settingsZh.calendar.days.tue).getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(form.getByLabel(settingsZh.calendar.days.mon).getAttribute('aria-invalid')).resolves.toBeNull();
      await form.getByText(settingsZh.checkFields).waitFor();
      expect((await h.api('GET', '/sla/calendar')).body.weeklyHours.tue).toEqual(saved.weeklyHours.tue);

      // Removing the holiday saves too.
      await form.getByRole('button', { name: named(settingsZh.calendar.removeDay, { date: '2027-10-01' }) }).click();
      await form.getByLabel(settingsZh.calendar.days.tue).fill('09:00-18:00');
      await form.getByRole('button', { name: settingsZh.calendar.save }).click();
      await page.getByText(settingsZh.calendar.saved).waitFor();
      expect((await h.api('GET', '/sla/calendar')).body.holidays).toEqual([]);
      expect(await pageFitsWidth(page)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
