/**
 * The help centre in a real browser against the real server: a Chinese and an English visitor
 * search from the portal home (suggestions as they type, then the results page), open an article
 * and vote; a signed-in customer follows an article with consent, an editor publishes a new
 * revision through the API, and the subscriber's digest is produced.
 */
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedKbDemo } from '../../src/modules/kb/kb.demo.js';
import { drainAfter } from '../helpers/app.js';
import { launchChromium } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer | undefined;
let browser: Browser | undefined;
const reader = { email: 'reader@example.com', name: '读者', password: 'reader-portal-password' };

beforeAll(async () => {
  server = await startTestServer();
  const { services, workspace } = server.test;
  await seedKbDemo(services, workspace.id, workspace.admin.id);
  await services.accounts.registerCustomer(workspace.id, { ...reader, locale: 'zh-CN' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function running(): { server: TestServer; browser: Browser } {
  if (!server || !browser) throw new Error('the test server or browser did not start');
  return { server, browser };
}

async function newPage(locale: string): Promise<{ page: Page; errors: string[] }> {
  const context = await running().browser.newContext({ locale, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

describe('help centre in the browser', () => {
  it('a Chinese visitor searches from the home page, opens an article and votes', async () => {
    const { page, errors } = await newPage('zh-CN');
    await page.goto(`${running().server.url}/`);
    await expect(page.locator('h2#top-questions').textContent()).resolves.toBe('热门问题');
    await page.locator('#q').pressSequentially('卡纸', { delay: 30 });
    // As-you-type suggestions come from the search module's /search/suggest.
    await page.locator('.suggestions a').first().waitFor();
    await page.locator('#q').press('Enter');
    await page.waitForURL(/\/search\?q=/);
    await expect(page.locator('.results li').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('.results mark').count()).resolves.toBeGreaterThan(0);
    await page.locator('.results a', { hasText: '如何清除卡纸' }).click();
    await page.waitForURL(/\/help\/articles\/clear-paper-jam-zh/);
    await expect(page.locator('h1').textContent()).resolves.toBe('如何清除卡纸');
    await expect(page.locator('.breadcrumbs').textContent()).resolves.toContain('纸张与卡纸');
    await page.getByRole('button', { name: '有帮助', exact: true }).click();
    await page.locator('#feedback .notice').waitFor();
    await expect(page.locator('#feedback .notice').textContent()).resolves.toBe('感谢您的反馈。');
    const article = (await running().server.test.services.kb.publishedArticle(running().server.test.workspace.id, 'clear-paper-jam-zh')).article;
    expect(article.helpful).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('an English visitor searches, reads, says it did not help, and is offered the next step', async () => {
    const { page, errors } = await newPage('en-GB');
    await page.goto(`${running().server.url}/`);
    await page.locator('#q').fill('printer offline after new router');
    await page.locator('form.search button').click();
    await page.waitForURL(/\/search\?q=/);
    const first = page.locator('.results a').first();
    await expect(first.textContent()).resolves.toMatch(/router|offline/i);
    await first.click();
    await page.waitForURL(/\/help\/articles\//);
    const before = await page.locator('h1').textContent();
    expect(before).toMatch(/router|offline/i);
    await page.locator('#comment').fill('My router is a mesh system');
    await page.getByRole('button', { name: 'No', exact: true }).click();
    await page.locator('#feedback .notice').waitFor();
    await expect(page.locator('.next-steps.emphasised a[href="/contact"]').first().isVisible()).resolves.toBe(true);
    expect(errors).toEqual([]);
  });

  it('a subscriber follows an article; an editor publishes a revision; the digest is produced', async () => {
    const { server: s } = running();
    const { page } = await newPage('zh-CN');
    await page.goto(`${s.url}/account/sign-in`);
    await page.locator('#email').fill(reader.email);
    await page.locator('#password').fill(reader.password);
    await page.locator('#password').press('Enter');
    await page.waitForURL(/\/requests/);
    await page.goto(`${s.url}/help/articles/replace-ink-cartridge-zh`);
    await page.locator('form[action="/help/follow"] input[name="consent"]').check();
    await page.locator('form[action="/help/follow"] button').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/notice=followed/);

    const { services, workspace } = s.test;
    const token = (await services.accounts.createApiToken(workspace.id, workspace.admin.id, 'editor', { type: 'system', id: null })).token;
    const api = (method: string, path: string, data?: object) => page.request.fetch(`${s.url}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}` }, ...(data ? { data } : {}),
    });
    const article = (await services.kb.publishedArticle(workspace.id, 'replace-ink-cartridge-zh')).article;
    expect((await api('PATCH', `/kb/articles/${article.id}`, { markdown: '1. 打开前盖。\n2. 取出旧墨盒，装入新墨盒。' })).status()).toBe(200);
    expect((await api('POST', `/kb/articles/${article.id}/publish`, {})).status()).toBe(200);
    const digestsFor = async () => (await (await api('GET', '/kb/subscriptions/digests')).json()).digests as { email: string; articleIds: string[] }[];
    await s.test.jobs.drain();
    // The digest job waits (KEFU_KB_DIGEST_DELAY_SECONDS, 15 minutes by default) to gather a burst of edits.
    expect(await digestsFor()).toEqual([]);
    await drainAfter(s.test, 16 * 60_000);
    expect(await digestsFor()).toEqual([expect.objectContaining({ email: reader.email, articleIds: [article.id] })]);

    await page.reload();
    await expect(page.locator('.follow').textContent()).resolves.toContain('您已关注');
  });
});
