/**
 * Settings → Host names in a real browser, in English and in Chinese (at phone width): an admin
 * adds a host name (typed in capitals: stored lower-cased), a bad value is named under the field
 * and nothing changes, another workspace's name is refused, and the admin removes the name; the
 * portal answers on it while it is there.
 */
import { describe, expect, it } from 'vitest';
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import settingsZh from '../../web/console/src/features/settings/locales/zh-CN.json' with { type: 'json' };
import { PHONE, named, settingsHarness } from './settings-harness.js';

const h = settingsHarness();

describe('Settings → Host names', () => {
  it('an admin adds a host name, is told what is wrong with a bad one, and removes it (English)', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.server().admin, '/agent/settings/hostnames');
    try {
      await page.getByRole('heading', { level: 2, name: settingsEn.sections.hostnames }).waitFor();
      await page.getByText(settingsEn.hostnames.empty).waitFor();
      const form = page.getByRole('form', { name: settingsEn.hostnames.add });
      const field = form.getByLabel(settingsEn.hostnames.hostname, { exact: true });

      // A URL instead of a name: the field says what to leave out, and nothing is stored.
      await field.fill('https://help.yunmo.example/support');
      await form.getByRole('button', { name: settingsEn.hostnames.addButton }).click();
      await form.getByText(settingsEn.hostnames.problems.HOSTNAME_SCHEME).waitFor();
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      await field.fill('help.yunmo.example:8443');
      await form.getByRole('button', { name: settingsEn.hostnames.addButton }).click();
      await form.getByText(settingsEn.hostnames.problems.HOSTNAME_PORT).waitFor();
      expect((await h.api('GET', '/workspace/hostnames')).body.hostnames).toEqual([]);

      await field.fill('Help.Yunmo.Example');
      await form.getByRole('button', { name: settingsEn.hostnames.addButton }).click();
      const row = page.getByTestId('hostnames').locator('tr[data-hostname="help.yunmo.example"]');
      await row.waitFor();
      await expect(field.getAttribute('aria-invalid')).resolves.toBeNull();
      expect((await h.api('GET', '/workspace/hostnames')).body.hostnames).toEqual(['help.yunmo.example']);
      // The portal answers on it (a request with that Host reaches this workspace's help centre).
      const portal = await h.server().test.app.http.inject({ url: '/', headers: { host: 'help.yunmo.example' } });
      expect(portal.statusCode).toBe(200);

      await row.getByRole('button', { name: named(settingsEn.hostnames.removeNamed, { hostname: 'help.yunmo.example' }) }).click();
      await row.waitFor({ state: 'detached' });
      expect((await h.api('GET', '/workspace/hostnames')).body.hostnames).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('says in Chinese, at phone width, that a name is not valid or belongs to another workspace; adds and removes one', async () => {
    const { test } = h.server();
    const other = await test.addWorkspace('hostnames-other');
    await test.services.accounts.addHostname(other.id, 'kefu.other-company.example', { type: 'system', id: null });
    const { page, errors, close } = await h.signIn('zh-CN', h.server().admin, '/agent/settings/hostnames', PHONE);
    try {
      const form = page.getByRole('form', { name: settingsZh.hostnames.add });
      const field = form.getByLabel(settingsZh.hostnames.hostname, { exact: true });
      await field.fill('帮助 中心');
      await form.getByRole('button', { name: settingsZh.hostnames.addButton }).click();
      await form.getByText(settingsZh.hostnames.problems.HOSTNAME_INVALID).waitFor();
      await field.fill('help.yunmo.example/zh');
      await form.getByRole('button', { name: settingsZh.hostnames.addButton }).click();
      await form.getByText(settingsZh.hostnames.problems.HOSTNAME_PATH).waitFor();
      await field.fill('KEFU.other-company.example');
      await form.getByRole('button', { name: settingsZh.hostnames.addButton }).click();
      await form.getByText(settingsZh.hostnames.problems.HOSTNAME_TAKEN).waitFor();
      expect((await h.api('GET', '/workspace/hostnames')).body.hostnames).toEqual([]);

      await field.fill('kefu.yunmo.example');
      await form.getByRole('button', { name: settingsZh.hostnames.addButton }).click();
      const row = page.getByTestId('hostnames').locator('tr[data-hostname="kefu.yunmo.example"]');
      await row.waitFor();
      await page.screenshot({ path: `${process.env.KEFU_SCREENSHOTS_DIR ?? '/tmp'}/settings-hostnames-zh.png` });
      await row.getByRole('button', { name: named(settingsZh.hostnames.removeNamed, { hostname: 'kefu.yunmo.example' }) }).click();
      await row.waitFor({ state: 'detached' });
      await page.getByText(settingsZh.hostnames.empty).waitFor();
      expect((await h.api('GET', '/workspace/hostnames')).body.hostnames).toEqual([]);
      expect(await test.services.accounts.hostnames(other.id)).toEqual(['kefu.other-company.example']);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('is not offered to an agent who is not an admin', async () => {
    const { page, close } = await h.signIn('en-GB', h.agent, '/agent/settings/hostnames');
    try {
      await page.getByText(settingsEn.adminOnly).waitFor();
      await expect(page.getByRole('link', { name: settingsEn.sections.hostnames }).count()).resolves.toBe(0);
      expect((await h.api('GET', '/workspace/hostnames', undefined, 'Bearer not-a-token')).status).toBe(401);
    } finally {
      await close();
    }
  });
});
