/**
 * The agent console in a real browser against the real server: sign-in errors are translated,
 * the shell appears, the language switch is saved to the agent and survives a reload, /agent/*
 * addresses reload into the right area, and signing out ends the server session.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../web/console/src/locales/en.json' with { type: 'json' };
import zh from '../../web/console/src/locales/zh-CN.json' with { type: 'json' };
import { buildConsoleIfStale, startTestServer } from '../helpers/server.js';
import { launchChromium } from '../helpers/browser.js';


type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer | undefined;
let browser: Browser | undefined;
const screenshots = mkdtempSync(join(tmpdir(), 'kefu-console-e2e-'));

beforeAll(async () => {
  buildConsoleIfStale();
  server = await startTestServer();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  console.info(`console e2e screenshots: ${screenshots}`);
});

function running(): { server: TestServer; browser: Browser } {
  if (!server || !browser) throw new Error('the test server or browser did not start');
  return { server, browser };
}

describe('agent console in the browser', () => {
  it('opens in the browser language before anyone signs in', async () => {
    const { page, errors, close } = await openPage('zh-CN');
    try {
      await page.goto(`${running().server.url}/agent`);
      await page.getByRole('heading', { name: zh.login.heading }).waitFor();
      expect(await htmlLang(page)).toBe('zh-CN');
      await page.getByLabel(zh.login.email).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('signs in, switches to Chinese, keeps both over a reload, and signs out', async () => {
    const { url, admin } = running().server;
    const { page, errors, close } = await openPage('en-US');
    try {
      await page.goto(`${url}/agent`);
      const email = page.getByLabel(en.login.email);
      const password = page.getByLabel(en.login.password);
      await email.waitFor();
      expect(await htmlLang(page)).toBe('en');
      await page.screenshot({ path: join(screenshots, '1-login-en.png') });

      // A wrong password: the server's INVALID_CREDENTIALS shown as the English message.
      await email.fill(admin.email);
      await password.fill(`${admin.password}-wrong`);
      await page.getByRole('button', { name: en.login.submit }).click();
      await page.getByRole('alert').getByText(en.errors.INVALID_CREDENTIALS).waitFor();
      await page.screenshot({ path: join(screenshots, '2-login-error.png') });

      // The right one: the shell with the agent's name in the top bar and the welcome panel.
      await password.fill(admin.password);
      await page.getByRole('button', { name: en.login.submit }).click();
      await page.getByRole('banner').getByText(admin.name, { exact: true }).waitFor();
      await page.getByRole('heading', { level: 1, name: admin.name }).waitFor();

      // The shell speaks the agent's saved language; start this check from English.
      if ((await htmlLang(page)) !== 'en') await switchLanguage(page, 'English');
      await page.getByRole('navigation', { name: en.shell.mainNav }).getByRole('link', { name: en.nav.inbox }).waitFor();

      // Switch to Chinese: the whole shell follows and the choice is saved to the agent,
      // without asking the server again who is signed in.
      const sessionChecks = sessionChecksOf(page);
      await switchLanguage(page, '中文');
      const nav = page.getByRole('navigation', { name: zh.shell.mainNav });
      await nav.getByRole('link', { name: zh.nav.inbox }).waitFor();
      await expectChineseShell(page, admin.name);
      expect(sessionChecks.count).toBe(0);

      // A reload asks the server who is signed in: same agent, still Chinese.
      await page.reload();
      await page.getByRole('navigation', { name: zh.shell.mainNav }).getByRole('link', { name: zh.nav.inbox }).waitFor();
      await expectChineseShell(page, admin.name);
      await page.getByRole('heading', { level: 1, name: admin.name }).waitFor();
      await page.screenshot({ path: join(screenshots, '3-home-zh.png'), fullPage: true });

      // The in-app router: the inbox area, marked current, and its address reloads into it.
      await nav.getByRole('link', { name: zh.nav.inbox }).click();
      await page.getByRole('heading', { level: 1, name: zh.nav.inbox }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/agent/inbox');
      expect(await nav.getByRole('link', { name: zh.nav.inbox }).getAttribute('aria-current')).toBe('page');
      await page.getByRole('navigation', { name: zh.inbox.views.label }).waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: zh.nav.inbox }).waitFor();
      await page.screenshot({ path: join(screenshots, '4-inbox-zh.png') });

      // Sign out: the sign-in form again, and a reload shows the server session is gone.
      await page.getByRole('button', { name: zh.shell.signOut }).click();
      await page.getByRole('heading', { name: zh.login.heading }).waitFor();
      await page.reload();
      await page.getByLabel(zh.login.email).waitFor();
      expect(await page.getByRole('navigation').count()).toBe(0);

      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);
});

async function openPage(locale: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await running().browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  // Uncaught exceptions only: failed requests (the expected 401s) are logged by Chromium too.
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors, close: () => context.close() };
}

/** Counts GET /api/v1/auth/me from now on. */
function sessionChecksOf(page: Page): { count: number } {
  const counter = { count: 0 };
  page.on('request', (request) => {
    if (request.method() === 'GET' && new URL(request.url()).pathname === '/api/v1/auth/me') counter.count += 1;
  });
  return counter;
}

/** Clicks the top bar's language button and waits for the server to save the choice. */
async function switchLanguage(page: Page, label: 'English' | '中文'): Promise<void> {
  const saved = page.waitForResponse(
    (response) => response.url().endsWith('/api/v1/auth/me') && response.request().method() === 'PATCH',
  );
  await page.getByRole('banner').getByRole('button', { name: label, exact: true }).click();
  expect((await saved).status()).toBe(200);
}

async function htmlLang(page: Page): Promise<string> {
  return page.evaluate(() => document.documentElement.lang);
}

async function expectChineseShell(page: Page, agentName: string): Promise<void> {
  expect(await htmlLang(page)).toBe('zh-CN');
  const labels = await page.getByRole('navigation', { name: zh.shell.mainNav }).getByRole('link').allInnerTexts();
  expect(labels.map((label) => label.trim())).toEqual([
    zh.nav.home,
    zh.nav.inbox,
    zh.nav.chat,
    zh.nav.helpCentre,
    zh.nav.customers,
    zh.nav.settings,
  ]);
  await page.getByRole('banner').getByText(agentName, { exact: true }).waitFor();
  await page.getByRole('button', { name: zh.shell.signOut }).waitFor();
}
