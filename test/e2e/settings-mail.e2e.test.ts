/**
 * Settings → Mail in a real browser against the real server on the embedded default (no SMTP
 * settings): an admin finds the held reply of a ticket in the outbox, opens it and reads it; the
 * Chinese console shows the same page in Chinese; an agent who is not an admin is told it is
 * admins only.
 */
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../web/console/src/locales/en.json' with { type: 'json' };
import zh from '../../web/console/src/locales/zh-CN.json' with { type: 'json' };
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import settingsZh from '../../web/console/src/features/settings/locales/zh-CN.json' with { type: 'json' };
import { launchChromium, signInToConsole, type ConsoleSession } from '../helpers/browser.js';
import { buildConsoleIfStale, startTestServer } from '../helpers/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer | undefined;
let browser: Browser | undefined;
let ticketNumber = 0;
const SYSTEM = { type: 'system' as const, id: null };
const agent = { email: 'plain.agent@acme.example', name: 'Plain Agent', password: 'plain-agent-password-1' };

beforeAll(async () => {
  buildConsoleIfStale();
  server = await startTestServer();
  const { services, workspace } = server.test;
  await services.accounts.createAgent(workspace.id, { ...agent, role: 'agent' }, SYSTEM);
  const ticket = await services.tickets.open(workspace.id, {
    subject: 'Where is my invoice?', body: 'I did not get it.', channel: 'web', customer: { email: 'zhao.min@example.com', name: 'Zhao Min' },
  }, SYSTEM);
  ticketNumber = ticket.number;
  await services.tickets.addMessage(workspace.id, ticket.id, { kind: 'reply', body: 'Your invoice is attached to your account page.' }, { type: 'agent', id: workspace.admin.id });
  // The reply's mail is queued by a durable subscriber: in the outbox before the page first lists it.
  await server.test.jobs.drain();
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function running(): { server: TestServer; browser: Browser } {
  if (!server || !browser) throw new Error('the test server or browser did not start');
  return { server, browser };
}

function signIn(locale: string, who: { email: string; password: string; name: string }, path: string): Promise<ConsoleSession> {
  return signInToConsole(running().browser, `${running().server.url}${path}`, who, { locale, viewport: { width: 1280, height: 900 } });
}

describe('Settings → Mail', () => {
  it('an admin sees the held reply in the outbox, opens it and reads it with its headers', async () => {
    const { page, errors, close } = await signIn('en-GB', running().server.admin, '/agent');
    try {
      await page.getByRole('link', { name: en.nav.settings }).first().click();
      await page.getByRole('heading', { level: 1, name: en.nav.settings }).waitFor();
      await page.getByRole('link', { name: settingsEn.mail.tabs.outbox }).waitFor();
      // No SMTP settings: the page says mail is held, and lists it.
      await page.getByText(settingsEn.outbox.heldNotice).waitFor();
      await page.getByRole('button', { name: settingsEn.outbox.status.held, exact: true }).click();
      // (The ticket's autoresponse is held there too.)
      const row = page.getByRole('row').filter({ hasText: 'zhao.min@example.com' }).filter({ hasText: 'Re: Where is my invoice?' });
      await row.waitFor();
      await expect(row.locator('.mail-status-held').textContent()).resolves.toBe(settingsEn.outbox.status.held);

      await row.getByRole('link', { name: `Re: Where is my invoice? [#${ticketNumber}]` }).click();
      await page.waitForURL(/\/agent\/settings\/mail\/outbox\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { level: 2, name: `Re: Where is my invoice? [#${ticketNumber}]` }).waitFor();
      const body = page.getByLabel(settingsEn.outbox.body);
      await expect(body.textContent()).resolves.toContain('Your invoice is attached to your account page.');
      await expect(body.textContent()).resolves.toContain(`/requests/${ticketNumber}`);
      await expect(page.locator('.settings-headers').textContent()).resolves.toMatch(/<[0-9a-f-]{36}@localhost>/);
      await page.getByText(settingsEn.outbox.noAttemptsHeld).waitFor();

      // The address can be reloaded and still shows the same mail.
      await page.reload();
      await page.getByRole('heading', { level: 2, name: `Re: Where is my invoice? [#${ticketNumber}]` }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the outbox in Chinese, and finds mail by recipient', async () => {
    const { page, errors, close } = await signIn('zh-CN', running().server.admin, '/agent/settings/mail/outbox');
    try {
      await page.getByRole('heading', { level: 1, name: zh.nav.settings }).waitFor();
      await page.getByText(settingsZh.outbox.heldNotice).waitFor();
      await page.getByLabel(settingsZh.outbox.recipient).fill('nobody-here');
      await page.getByRole('button', { name: settingsZh.outbox.search }).click();
      await page.getByText(settingsZh.outbox.empty).waitFor();
      await page.getByLabel(settingsZh.outbox.recipient).fill('zhao.min');
      await page.getByRole('button', { name: settingsZh.outbox.search }).click();
      await page.getByRole('row').filter({ hasText: 'zhao.min@example.com' }).first().waitFor();
      await expect(page.getByRole('row').filter({ hasText: 'nobody-here' }).count()).resolves.toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('an admin adds a support address, and sees the IMAP and parked-mail screens', async () => {
    const { page, errors, close } = await signIn('en-GB', running().server.admin, '/agent/settings/mail/addresses');
    try {
      await page.getByText(settingsEn.addresses.empty).waitFor();
      const form = page.getByRole('form', { name: settingsEn.addresses.add });
      await form.getByLabel(settingsEn.addresses.address, { exact: true }).fill('help@acme.example');
      await form.getByLabel(settingsEn.addresses.displayName, { exact: true }).fill('Acme Help');
      await form.getByLabel(settingsEn.addresses.locale, { exact: true }).selectOption('zh-CN');
      await form.getByRole('button', { name: settingsEn.addresses.addButton }).click();
      const row = page.getByRole('row').filter({ hasText: 'help@acme.example' });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('Acme Help');
      const { services, workspace } = running().server.test;
      expect((await services.outbox.queue(workspace.id, { to: 'x@example.com', template: 'passwordReset', locale: 'en', vars: { name: 'X', workspace: 'Acme', link: 'http://x' } })).messageId)
        .toMatch(/@acme\.example$/);

      await page.getByRole('link', { name: settingsEn.mail.tabs.mailboxes }).click();
      await page.getByRole('heading', { name: settingsEn.mailboxes.add }).waitFor();
      await page.getByText(settingsEn.mailboxes.empty).waitFor();
      await page.getByRole('link', { name: settingsEn.mail.tabs.parked }).click();
      await page.getByText(settingsEn.parked.empty).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('tells an agent who is not an admin that settings are for admins', async () => {
    const { page, close } = await signIn('en-GB', agent, '/agent/settings/mail/outbox');
    try {
      await page.getByText(settingsEn.adminOnly).waitFor();
      await expect(page.locator('.settings-table').count()).resolves.toBe(0);
    } finally {
      await close();
    }
  });
});
