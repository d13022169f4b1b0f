/**
 * Settings → API tokens in a real browser: an admin creates a token with scopes and an expiry,
 * sees its secret once and uses it, then revokes it; a bad name and a past expiry are named under
 * their fields (in Chinese, at phone width); an admin revokes another agent's token; an agent who
 * is not an admin manages only their own, without the admin scope.
 */
import { describe, expect, it } from 'vitest';
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import settingsZh from '../../web/console/src/features/settings/locales/zh-CN.json' with { type: 'json' };
import { PHONE, SYSTEM, pageFitsWidth, settingsHarness } from './settings-harness.js';

const h = settingsHarness();
const nextYear = `${new Date().getFullYear() + 1}-06-30`;

describe('Settings → API tokens', () => {
  it('an admin creates a token with write scope and an expiry, copies the secret once, uses it and revokes it', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/tokens');
    try {
      await page.getByRole('heading', { level: 2, name: settingsEn.sections.tokens }).waitFor();
      const form = page.getByRole('form', { name: settingsEn.tokens.add });
      await form.getByLabel(settingsEn.tokens.name, { exact: true }).fill('CI export');
      await form.getByLabel(settingsEn.tokens.scope.write).check();
      await form.getByLabel(settingsEn.tokens.expires, { exact: true }).fill(nextYear);
      await form.getByRole('button', { name: settingsEn.tokens.addButton }).click();
      const secret = await page.getByLabel(settingsEn.tokens.secret).textContent();
      expect(secret).toMatch(/\S{20,}/);
      await page.getByText(settingsEn.tokens.secretOnce).waitFor();

      const mine = (await h.api('GET', '/api-tokens')).body.tokens as { id: string; name: string; scopes: string[]; expiresAt: string }[];
      const made = mine.find((t) => t.name === 'CI export')!;
      expect(made.scopes).toEqual(['read', 'write']);
      expect(made.expiresAt.slice(0, 4)).toBe(nextYear.slice(0, 4));
      expect((await h.api('GET', '/agents', undefined, `Bearer ${secret}`)).status).toBe(200);

      // The secret is not shown again after a reload; the token is listed.
      await page.reload();
      const row = page.getByRole('table', { name: settingsEn.tokens.mine }).getByRole('row').filter({ hasText: 'CI export' });
      await row.waitFor();
      await expect(page.getByLabel(settingsEn.tokens.secret).count()).resolves.toBe(0);
      await row.getByRole('button', { name: settingsEn.tokens.revokeNamed.replace('{{name}}', 'CI export') }).click();
      await row.waitFor({ state: 'detached' });
      expect((await h.api('GET', '/api-tokens')).body.tokens.some((t: { id: string }) => t.id === made.id)).toBe(false);
      expect((await h.api('GET', '/agents', undefined, `Bearer ${secret}`)).status).toBe(401);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('names a blank name and a past expiry under their fields, in Chinese at phone width', async () => {
    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/tokens', PHONE);
    try {
      const form = page.getByRole('form', { name: settingsZh.tokens.add });
      const name = form.getByLabel(settingsZh.tokens.name, { exact: true });
      await name.fill('   ');
      await form.getByRole('button', { name: settingsZh.tokens.addButton }).click();
      await form.getByText(settingsZh.fieldRules.required).waitFor();
      await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');

      await name.fill('过期的令牌');
      await form.getByLabel(settingsZh.tokens.expires, { exact: true }).fill('2020-01-01');
      await form.getByRole('button', { name: settingsZh.tokens.addButton }).click();
      await form.getByText(settingsZh.fieldRules.future).waitFor();
      await expect(form.getByText(settingsZh.fieldRules.required).count()).resolves.toBe(0);
      expect((await h.api('GET', '/api-tokens')).body.tokens.some((t: { name: string }) => t.name === '过期的令牌')).toBe(false);
      expect(await pageFitsWidth(page)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('an admin sees and revokes another agent\'s token', async () => {
    const { services, workspace } = h.server().test;
    const theirs = await services.accounts.createApiToken(workspace.id, h.agent.id, 'Plain agent script', SYSTEM);
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/tokens');
    try {
      const row = page.getByRole('table', { name: settingsEn.tokens.everyone }).getByRole('row').filter({ hasText: 'Plain agent script' });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain(h.agent.name);
      await row.getByRole('button', { name: settingsEn.tokens.revoke }).click();
      await row.waitFor({ state: 'detached' });
      expect((await h.api('GET', `/api-tokens?agentId=${h.agent.id}`)).body.tokens).toEqual([]);
      expect((await h.api('GET', '/agents', undefined, `Bearer ${theirs.token}`)).status).toBe(401);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('an agent who is not an admin sees only their own tokens, without the admin scope', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.agent, '/agent/settings');
    try {
      await page.getByRole('heading', { level: 2, name: settingsEn.sections.tokens }).waitFor();
      await expect(page.getByRole('link', { name: settingsEn.sections.sla }).count()).resolves.toBe(0);
      await expect(page.getByLabel(settingsEn.tokens.scope.admin).count()).resolves.toBe(0);
      await expect(page.getByRole('table', { name: settingsEn.tokens.everyone }).count()).resolves.toBe(0);
      const form = page.getByRole('form', { name: settingsEn.tokens.add });
      await form.getByLabel(settingsEn.tokens.name, { exact: true }).fill('My report');
      await form.getByRole('button', { name: settingsEn.tokens.addButton }).click();
      await page.getByLabel(settingsEn.tokens.secret).waitFor();
      const theirs = (await h.api('GET', `/api-tokens?agentId=${h.agent.id}`)).body.tokens;
      expect(theirs).toMatchObject([{ name: 'My report', scopes: ['read'] }]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
