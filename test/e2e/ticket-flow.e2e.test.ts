/**
 * The whole life of a web request, in two browsers against the real server: a customer submits
 * the portal's contact form (shown the expected response time first), an agent sees it arrive
 * live in the console inbox and replies, the customer reads the reply on "my requests" and
 * answers, the agent solves the ticket, and the customer rates it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zhCN as portal } from '../../src/core/i18n/catalogues/zh-CN.js';
import en from '../../web/console/src/locales/en.json' with { type: 'json' };
import { buildConsoleIfStale, startTestServer } from '../helpers/server.js';
import { launchChromium } from '../helpers/browser.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer | undefined;
let browser: Browser | undefined;
const screenshots = process.env.KEFU_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'kefu-ticket-flow-e2e-'));
const customer = { email: 'li.na@example.com', name: '李娜', password: 'li-na-portal-password' };

beforeAll(async () => {
  buildConsoleIfStale();
  server = await startTestServer();
  await server.test.services.accounts.registerCustomer(server.test.workspace.id, { ...customer, locale: 'zh-CN' });
  await server.test.services.tickets.addCannedReply(server.test.workspace.id, {
    title: '问候', body: '{{customer.name}}，您好！\n\n我是客服 {{agent.name}}，正在处理您的工单 #{{ticket.number}}。', locale: 'zh-CN',
  });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  console.info(`ticket flow e2e screenshots: ${screenshots}`);
});

function running(): { server: TestServer; browser: Browser } {
  if (!server || !browser) throw new Error('the test server or browser did not start');
  return { server, browser };
}

async function newPage(locale: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await running().browser.newContext({ locale, viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

describe('a web request from the contact form to a rating', () => {
  it('goes from customer to agent and back, live on the agent\'s side', async () => {
    const { server } = running();
    const { services, workspace } = server.test;
    const agent = await newPage('en-US');
    const person = await newPage('zh-CN');
    try {
      // The agent has the inbox open ("All tickets") with live updates on.
      const inbox = agent.page;
      await inbox.goto(`${server.url}/agent/inbox`);
      await inbox.getByLabel(en.login.email).fill(server.admin.email);
      await inbox.getByLabel(en.login.password).fill(server.admin.password);
      await inbox.getByRole('button', { name: en.login.submit }).click();
      await inbox.getByRole('navigation', { name: en.inbox.views.label }).getByRole('link', { name: en.inbox.views.all }).click();
      await inbox.locator('.live-live').waitFor();
      await inbox.getByText(en.inbox.list.empty).waitFor();

      // The customer signs in to the portal and opens the contact form.
      const portalPage = person.page;
      await portalPage.goto(`${server.url}/account/sign-in`);
      await portalPage.getByLabel(portal.account.email).fill(customer.email);
      await portalPage.getByLabel(portal.account.password).fill(customer.password);
      await portalPage.getByRole('button', { name: portal.nav.signIn }).click();
      await portalPage.waitForURL(/\/requests$/);
      await portalPage.goto(`${server.url}/contact`);
      await portalPage.getByRole('heading', { level: 1, name: portal.contact.title }).waitFor();

      // Before sending: the expected response time for the chosen department, with its due time.
      await portalPage.getByLabel(portal.contact.department).selectOption('service');
      const expected = portalPage.locator('#expected li[data-department="service"]');
      await expected.waitFor();
      const promise = await expected.innerText();
      expect(promise).toContain(portal.contact.expected.split('{{duration}}')[0]!);
      expect(await expected.locator('time').count()).toBe(1);
      expect(await portalPage.locator('#expected li[data-department="sales"]').isVisible()).toBe(false);
      await portalPage.screenshot({ path: join(screenshots, '1-contact-form-zh.png'), fullPage: true });

      await portalPage.getByLabel(portal.contact.subject).fill('P200 打印出来全是空白页');
      await portalPage.getByLabel(portal.contact.message).fill('换了新墨盒以后，打印出来的纸都是空白的。\n已经重启过打印机。');
      await portalPage.getByRole('button', { name: portal.contact.send }).click();
      await portalPage.getByText(portal.requests.sent).waitFor();
      const number = Number(/\/requests\/(\d+)/.exec(portalPage.url())?.[1]);
      expect(number).toBeGreaterThan(0);

      // The agent sees it arrive without reloading, and opens it.
      const row = inbox.getByRole('link', { name: /P200 打印出来全是空白页/ });
      await row.waitFor();
      await inbox.screenshot({ path: join(screenshots, '2-inbox-live-en.png') });
      await row.click();
      await inbox.getByRole('heading', { level: 1, name: 'P200 打印出来全是空白页' }).waitFor();
      await inbox.getByText('已经重启过打印机。').waitFor();
      await inbox.getByText(customer.email).waitFor();

      // The agent replies with a canned reply, its placeholders filled, plus a line of their own.
      await inbox.getByRole('combobox', { name: en.inbox.composer.canned }).selectOption({ label: '问候' });
      const composer = inbox.getByRole('textbox', { name: en.inbox.composer.replyLabel.replace('{{name}}', customer.name) });
      await expect.poll(() => composer.inputValue()).toContain(`李娜，您好！`);
      expect(await composer.inputValue()).toContain(`工单 #${number}`);
      expect(await composer.inputValue()).toContain(server.admin.name);
      await composer.press('End');
      await composer.pressSequentially('\n请取下墨盒上的黄色保护胶条后再试一次。');
      await inbox.getByRole('button', { name: en.inbox.composer.send, exact: true }).click();
      await inbox.getByText(en.inbox.composer.sent).waitFor();
      await expect.poll(async () => (await services.tickets.ticket(workspace.id, (await services.tickets.ticketByNumber(workspace.id, number)).id)).status).toBe('pending');

      // The customer sees the reply on "my requests" and answers it.
      await portalPage.goto(`${server.url}/requests`);
      await portalPage.getByRole('link', { name: /P200 打印出来全是空白页/ }).click();
      await portalPage.getByText('请取下墨盒上的黄色保护胶条后再试一次。').waitFor();
      await portalPage.locator('.status').getByText(portal.requests.status.pending).waitFor();
      await portalPage.getByLabel(portal.requests.reply, { exact: true }).fill('撕掉胶条以后好了，谢谢！');
      await portalPage.getByRole('button', { name: portal.requests.sendReply }).click();
      await portalPage.getByText(portal.requests.replied).waitFor();

      // The agent's open conversation shows the answer live, and the agent solves the ticket ("s").
      await inbox.locator('.message-customer').getByText('撕掉胶条以后好了，谢谢！').waitFor();
      await inbox.locator('.conversation-meta .status').getByText(en.inbox.status.open, { exact: true }).waitFor();
      await inbox.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await inbox.keyboard.press('s');
      await inbox.locator('.conversation-meta .status').getByText(en.inbox.status.solved, { exact: true }).waitFor();

      // The customer rates the solved request.
      await portalPage.reload();
      await portalPage.locator('.status').getByText(portal.requests.status.solved).waitFor();
      await portalPage.getByRole('heading', { name: portal.requests.rating.title }).waitFor();
      await portalPage.getByLabel(`5 · ${portal.requests.rating['5']}`).check();
      await portalPage.getByLabel(portal.requests.rating.comment).fill('回复很快，问题解决了。');
      await portalPage.getByRole('button', { name: portal.requests.rating.send }).click();
      await portalPage.getByText(portal.requests.rating.thanks).waitFor();
      await portalPage.screenshot({ path: join(screenshots, '3-request-rated-zh.png'), fullPage: true });

      // The rating reaches the agent's screen live, and the record.
      await inbox.getByText(en.inbox.conversation.csat.replace('{{rating}}', '5'), { exact: false }).waitFor();
      await inbox.screenshot({ path: join(screenshots, '4-conversation-rated-en.png') });
      const ticket = await services.tickets.ticketByNumber(workspace.id, number);
      expect(ticket).toMatchObject({ status: 'solved', csat_rating: 5, csat_comment: '回复很快，问题解决了。', channel: 'web' });

      expect(agent.errors).toEqual([]);
      expect(person.errors).toEqual([]);
    } finally {
      await agent.context.close();
      await person.context.close();
    }
  }, 120_000);
});
