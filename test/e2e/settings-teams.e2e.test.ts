/**
 * Settings → Departments and teams, and Agents, in a real browser: an admin adds a department in
 * both languages, renames it, takes HR off the portal and puts an agent in a team; a key already
 * taken and a blank name are named under their fields; an agent's capacity and role change, and a
 * bad capacity is named. Every change is checked through the API.
 */
import { describe, expect, it } from 'vitest';
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import settingsZh from '../../web/console/src/features/settings/locales/zh-CN.json' with { type: 'json' };
import { PHONE, named, pageFitsWidth, settingsHarness } from './settings-harness.js';

const h = settingsHarness();

interface Department { id: string; key: string; name: Record<string, string>; customerSelectable: boolean; strategy: string; autoAssign: boolean; memberIds: string[] }
const departments = async () => (await h.api('GET', '/routing/departments')).body.departments as Department[];

describe('Settings → Departments and teams', () => {
  it('an admin adds a department in Chinese, renames it, hides HR from the portal and staffs a team', async () => {
    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/teams');
    try {
      const form = page.getByRole('form', { name: settingsZh.teams.add });
      await form.getByLabel(settingsZh.teams.key, { exact: true }).fill('repairs');
      await form.getByLabel(settingsZh.teams.nameZh, { exact: true }).fill('维修');
      await form.getByLabel(settingsZh.teams.nameEn, { exact: true }).fill('Repairs');
      await form.getByRole('button', { name: settingsZh.teams.addButton }).click();
      const row = page.getByRole('row').filter({ hasText: 'repairs' });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('维修');
      expect((await departments()).find((d) => d.key === 'repairs')).toMatchObject({ name: { en: 'Repairs', 'zh-CN': '维修' }, customerSelectable: true });

      // Rename it, and put the plain agent in it with round robin.
      await row.getByRole('button', { name: named(settingsZh.editNamed, { name: '维修' }) }).click();
      const editor = page.getByRole('form', { name: named(settingsZh.teams.editTitle, { key: 'repairs' }) });
      await editor.getByLabel(settingsZh.teams.nameZh, { exact: true }).fill('维修服务');
      await editor.getByLabel(settingsZh.teams.strategy, { exact: true }).selectOption('round_robin');
      await editor.getByLabel(settingsZh.teams.autoAssign).check();
      await editor.getByLabel(h.agent.name).check();
      await editor.getByRole('button', { name: settingsZh.save }).click();
      await editor.waitFor({ state: 'detached' });
      await page.getByRole('row').filter({ hasText: '维修服务' }).filter({ hasText: h.agent.name }).waitFor();
      expect((await departments()).find((d) => d.key === 'repairs')).toMatchObject({
        name: { en: 'Repairs', 'zh-CN': '维修服务' }, strategy: 'round_robin', autoAssign: true, memberIds: [h.agent.id],
      });

      // HR is not for customers to pick.
      const hr = (await departments()).find((d) => d.key === 'hr')!;
      await page.getByRole('row').filter({ hasText: 'hr' }).getByRole('button', { name: named(settingsZh.editNamed, { name: hr.name['zh-CN']! }) }).click();
      const hrEditor = page.getByRole('form', { name: named(settingsZh.teams.editTitle, { key: 'hr' }) });
      await hrEditor.getByLabel(settingsZh.teams.portalChoice).uncheck();
      await hrEditor.getByRole('button', { name: settingsZh.save }).click();
      await hrEditor.waitFor({ state: 'detached' });
      expect((await departments()).find((d) => d.key === 'hr')!.customerSelectable).toBe(false);
      expect((await h.server().test.services.routing.customerDepartments(h.server().test.workspace.id)).map((d) => d.key)).not.toContain('hr');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('names a key already taken and a blank name under their fields, at phone width', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/teams', PHONE);
    try {
      const form = page.getByRole('form', { name: settingsEn.teams.add });
      await form.getByLabel(settingsEn.teams.key, { exact: true }).fill('Bad Key!');
      await form.getByLabel(settingsEn.teams.nameZh, { exact: true }).fill('坏');
      await form.getByRole('button', { name: settingsEn.teams.addButton }).click();
      await form.getByText(settingsEn.fieldRules.key).waitFor();
      await form.getByText(settingsEn.fieldRules.required).waitFor();
      await expect(form.getByLabel(settingsEn.teams.nameEn, { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(form.getByLabel(settingsEn.teams.nameZh, { exact: true }).getAttribute('aria-invalid')).resolves.toBeNull();

      await form.getByLabel(settingsEn.teams.key, { exact: true }).fill('sales');
      await form.getByLabel(settingsEn.teams.nameEn, { exact: true }).fill('Sales again');
      await form.getByRole('button', { name: settingsEn.teams.addButton }).click();
      await form.getByText(settingsEn.fieldRules.taken).waitFor();
      await form.getByText(settingsEn.checkFields).waitFor();
      expect((await departments()).filter((d) => d.key === 'sales')).toHaveLength(1);
      expect(await pageFitsWidth(page)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('Settings → Agents', () => {
  it('an admin changes an agent\'s capacity and role, and is told about a bad capacity', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/agents');
    try {
      await page.getByRole('row').filter({ hasText: h.agent.email }).getByRole('button', { name: named(settingsEn.editNamed, { name: h.agent.name }) }).click();
      const editor = page.getByRole('form', { name: named(settingsEn.agents.editTitle, { name: h.agent.name }) });
      await editor.getByLabel(settingsEn.agents.chatCapacity).fill('500');
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.getByText(settingsEn.fieldRules.chatCapacity).waitFor();

      await editor.getByLabel(settingsEn.agents.chatCapacity).fill('5');
      await editor.getByLabel(settingsEn.agents.ticketCapacity).fill('12');
      await editor.getByLabel(settingsEn.agents.role).selectOption('editor');
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.waitFor({ state: 'detached' });
      const routed = (await h.api('GET', '/routing/agents')).body.agents.find((a: { agentId: string }) => a.agentId === h.agent.id);
      expect(routed).toMatchObject({ capacity: { ticket: 12, chat: 5 }, role: 'editor' });

      await page.getByRole('row').filter({ hasText: h.agent.email }).getByRole('button', { name: named(settingsEn.editNamed, { name: h.agent.name }) }).click();
      await editor.getByLabel(settingsEn.agents.role).selectOption('agent');
      await editor.getByRole('button', { name: settingsEn.save }).click();
      await editor.waitFor({ state: 'detached' });
      expect((await h.api('GET', `/agents/${h.agent.id}`)).body.role).toBe('agent');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
