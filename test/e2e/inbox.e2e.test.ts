/**
 * The agent inbox in a real browser against the real server and its realtime socket: a ticket
 * opened through the API appears live, the agent opens it, replies and sets its status; a second
 * agent opening the same ticket is told someone else is on it; keyboard shortcuts and a bulk solve;
 * canned replies offered in the language of the ticket's reply, whatever the agent's own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../web/console/src/locales/en.json' with { type: 'json' };
import zh from '../../web/console/src/locales/zh-CN.json' with { type: 'json' };
import { buildConsoleIfStale, startTestServer } from '../helpers/server.js';
import { launchChromium, signInToConsole, type ConsoleSession } from '../helpers/browser.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer | undefined;
let browser: Browser | undefined;
let wang: { id: string; email: string; password: string; name: string };
const screenshots = process.env.KEFU_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'kefu-inbox-e2e-'));
const SYSTEM = { type: 'system' as const, id: null };

beforeAll(async () => {
  buildConsoleIfStale();
  server = await startTestServer();
  const { services, workspace } = server.test;
  const password = 'wang-lei-password-1';
  const agent = await services.accounts.createAgent(workspace.id, { email: 'wang.lei@acme.example', name: '王磊', role: 'agent', password, locale: 'zh-CN' }, SYSTEM);
  wang = { id: agent.id, email: agent.email, password, name: agent.name };
  await seedTickets(server);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  console.info(`inbox e2e screenshots: ${screenshots}`);
});

function running(): { server: TestServer; browser: Browser } {
  if (!server || !browser) throw new Error('the test server or browser did not start');
  return { server, browser };
}

/** A lived-in inbox: several customers, urgencies, departments, tags, a note and SLA deadlines. */
async function seedTickets({ test }: TestServer): Promise<void> {
  const { tickets } = test.services;
  const ws = test.workspace.id;
  const admin = { type: 'agent' as const, id: test.workspace.admin.id };
  const seeds = [
    { subject: '打印机卡纸，每页都卡', body: '我的 P200 从昨天开始每打印一页就卡纸。', customer: { email: 'li.na@example.com', name: '李娜' }, department: 'service', urgency: 2 as const, tags: ['p200', 'paper-jam'] },
    { subject: 'Invoice for order 10023 is missing', body: 'I paid last week but never got an invoice.', customer: { email: 'sarah.miller@example.com', name: 'Sarah Miller' }, department: 'finance', urgency: 1 as const, tags: ['billing'] },
    { subject: '墨盒无法识别', body: '新买的墨盒装上后提示无法识别。', customer: { email: 'chen.jie@example.com', name: '陈杰' }, department: 'service', urgency: 3 as const, tags: ['ink'] },
    { subject: 'Printer caught fire during a print job', body: 'Smoke came out of the back of my X900. Nobody hurt.', customer: { email: 'tom.becker@example.com', name: 'Tom Becker' }, department: 'service', urgency: 4 as const, tags: ['x900', 'safety'] },
    { subject: 'Thanks for the quick repair!', body: 'Just wanted to say thank you.', customer: { email: 'sarah.miller@example.com', name: 'Sarah Miller' }, department: 'service', urgency: 0 as const, tags: [] },
    { subject: '批量采购报价', body: '我们公司想采购 50 台 P200，请报价。', customer: { email: 'zhang.wei@example.com', name: '张伟' }, department: 'sales', urgency: 1 as const, tags: ['b2b'] },
  ];
  for (const seed of seeds) {
    const { department, ...input } = seed;
    const ticket = await tickets.open(ws, { ...input, channel: 'web', departmentKey: department }, SYSTEM);
    const now = Date.now();
    await tickets.setDeadlines(ws, [{
      ticketId: ticket.id,
      firstResponse: new Date(now + (4 - seed.urgency) * 45 * 60_000 - 20 * 60_000),
      nextResponse: null,
      resolution: new Date(now + 24 * 3600_000),
    }], test.database.db);
  }
  const [first] = (await tickets.inbox(ws, test.workspace.admin.id, { view: 'all', sort: 'created' })).tickets.slice(-1);
  if (first) {
    await tickets.addMessage(ws, first.id, { kind: 'note', body: '可能是进纸辊磨损，先让客户发一张进纸通道的照片。' }, admin);
    await tickets.update(ws, first.id, { assigneeId: test.workspace.admin.id }, admin);
  }
  await tickets.addCannedReply(ws, { title: 'Greeting', body: 'Hello {{customer.name}},\n\nThanks for contacting Yunmo. This is {{agent.name}}, looking at ticket #{{ticket.number}}.', locale: 'en' });
  await tickets.addCannedReply(ws, { title: '问候', body: '{{customer.name}}，您好！\n\n我是客服 {{agent.name}}，正在处理您的工单 #{{ticket.number}}。', locale: 'zh-CN' });
}

function openAgent(locale: string, who: { email: string; password: string; name: string }, path = '/agent/inbox'): Promise<ConsoleSession> {
  return signInToConsole(running().browser, `${running().server.url}${path}`, who, { locale });
}

/** Waits for the console's realtime socket: "Live" in the header. */
async function live(page: Page, catalogue: typeof en): Promise<void> {
  await page.locator('.live-live').getByText(catalogue.inbox.live.live).waitFor();
}

describe('agent inbox in the browser', () => {
  it('shows a new ticket live, opens it, replies and sets its status; a second agent sees the collision notice', async () => {
    const { server } = running();
    const { services, workspace } = server.test;
    const emma = await openAgent('en-US', server.admin);
    try {
      const { page } = emma;
      await page.getByRole('navigation', { name: en.inbox.views.label }).getByRole('link', { name: en.inbox.views.all }).click();
      await page.getByRole('link', { name: /Printer caught fire/ }).waitFor();
      await live(page, en);
      await page.screenshot({ path: join(screenshots, 'inbox-en.png') });

      // A customer writes in while the list is open: the row appears without a reload.
      const navigations: string[] = [];
      page.on('framenavigated', (frame) => navigations.push(frame.url()));
      const opened = await services.tickets.open(workspace.id, {
        subject: 'Wi-Fi setup keeps failing on P300', body: 'The printer never finds my network.\nRouter: TP-Link AX20.',
        channel: 'web', customer: { email: 'ada@example.com', name: 'Ada Lovelace' }, departmentKey: 'service', urgency: 2,
      }, SYSTEM);
      const row = page.getByRole('link', { name: /Wi-Fi setup keeps failing/ });
      await row.waitFor();
      expect(navigations).toEqual([]);
      await page.locator(`tr[data-id="${opened.id}"] .chip-new`).getByText(en.inbox.list.newBadge).waitFor();

      // Changed elsewhere: the row follows (urgency raised through the API).
      await services.tickets.update(workspace.id, opened.id, { urgency: 3 }, SYSTEM);
      await page.locator(`tr[data-id="${opened.id}"] .urgency-3`).waitFor();

      // Open it, reply, and set the status in the side panel.
      await row.click();
      await page.getByRole('heading', { level: 1, name: 'Wi-Fi setup keeps failing on P300' }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/agent/inbox/${opened.number}`);
      await page.getByText('Router: TP-Link AX20.').waitFor();
      await page.getByText('ada@example.com').waitFor();
      await page.getByText(en.inbox.customer.noProducts).waitFor();

      // The second agent opens the same ticket: each is told about the other.
      const wangPage = await openAgent('zh-CN', wang, `/agent/inbox/${opened.number}`);
      try {
        await wangPage.page.getByRole('heading', { level: 1, name: 'Wi-Fi setup keeps failing on P300' }).waitFor();
        await wangPage.page.getByText(zh.inbox.collision.viewing_one.replace('{{names}}', workspace.admin.name)).waitFor();
        await page.getByText(en.inbox.collision.viewing_one.replace('{{names}}', wang.name)).waitFor();

        // Writing shows as "replying" to the other agent.
        const composer = page.getByPlaceholder(en.inbox.composer.replyPlaceholder.replace('{{name}}', 'Ada Lovelace'));
        await composer.fill('Hello Ada, please hold the WPS button for 3 seconds, then try again.');
        await wangPage.page.getByText(zh.inbox.collision.replying_one.replace('{{names}}', workspace.admin.name)).waitFor();
        await wangPage.page.screenshot({ path: join(screenshots, 'conversation-zh.png') });
        await page.getByRole('button', { name: en.inbox.composer.send, exact: true }).click();
        await page.getByText(en.inbox.composer.sent).waitFor();
        await page.locator('.message-agent').getByText('please hold the WPS button').waitFor();
        // The other agent's thread updates live, and the "replying" notice ends.
        await wangPage.page.locator('.message-agent').getByText('please hold the WPS button').waitFor();
        await wangPage.page.getByText(zh.inbox.collision.viewing_one.replace('{{names}}', workspace.admin.name)).waitFor();

        // A reply moves a new ticket to "pending"; the agent puts it on hold instead.
        await expect.poll(async () => (await services.tickets.ticket(workspace.id, opened.id)).status).toBe('pending');
        await page.getByLabel(en.inbox.properties.status, { exact: true }).selectOption('on_hold');
        await page.getByText(en.inbox.properties.saved, { exact: true }).waitFor();
        expect((await services.tickets.ticket(workspace.id, opened.id)).status).toBe('on_hold');
        await wangPage.page.locator('.conversation-meta').getByText(zh.inbox.status.on_hold).waitFor();

        // A note, distinct from replies, through the "n" shortcut; the customer never sees it.
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        await page.keyboard.press('n');
        await page.getByPlaceholder(en.inbox.composer.notePlaceholder).fill('Router firmware is old; suggest an update if WPS fails.');
        await page.getByRole('button', { name: en.inbox.composer.addNote }).click();
        await page.locator('.message-note').getByText('Router firmware is old').waitFor();
        await page.screenshot({ path: join(screenshots, 'conversation-en.png') });

        // Leaving the ticket clears the notice for the other agent.
        await page.getByRole('main').getByRole('link', { name: en.inbox.conversation.back }).click();
        await page.getByRole('table').waitFor();
        await expect.poll(() => wangPage.page.locator('.collision').count()).toBe(0);
        expect(wangPage.errors).toEqual([]);
      } finally {
        await wangPage.close();
      }
      expect(emma.errors).toEqual([]);
    } finally {
      await emma.close();
    }
  }, 120_000);

  it('bulk-solves two selected tickets, and moves with j/k, x and ? on the keyboard', async () => {
    const { server } = running();
    const { services, workspace } = server.test;
    const a = await services.tickets.open(workspace.id, { subject: 'Bulk one: toner smudges', body: 'Smudges.', channel: 'email', customer: { email: 'bulk1@example.com', name: 'Bulk One' } }, SYSTEM);
    const b = await services.tickets.open(workspace.id, { subject: 'Bulk two: scanner lid', body: 'Lid broken.', channel: 'email', customer: { email: 'bulk2@example.com', name: 'Bulk Two' } }, SYSTEM);
    const agent = await openAgent('zh-CN', wang);
    try {
      const { page } = agent;
      await page.getByRole('navigation', { name: zh.inbox.views.label }).getByRole('link', { name: zh.inbox.views.unassigned }).click();
      await page.getByRole('link', { name: /Bulk one: toner smudges/ }).waitFor();
      await live(page, zh);
      await page.screenshot({ path: join(screenshots, 'inbox-zh.png') });

      // Keyboard: "?" opens the help, Esc closes it; j moves the highlight; x selects; typing in search is not a shortcut.
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: zh.inbox.shortcuts.title }).waitFor();
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
      await page.getByPlaceholder(zh.inbox.filters.searchPlaceholder).fill('jjj');
      await expect.poll(() => page.locator('tr.is-active').count()).toBe(0);
      await page.getByPlaceholder(zh.inbox.filters.searchPlaceholder).fill('');
      await page.getByPlaceholder(zh.inbox.filters.searchPlaceholder).press('Escape');
      await page.keyboard.press('j');
      await page.locator('tr.is-active').waitFor();
      await page.keyboard.press('j');
      await page.keyboard.press('k');
      const firstRowId = await page.locator('tbody tr').first().getAttribute('data-id');
      expect(await page.locator('tr.is-active').getAttribute('data-id')).toBe(firstRowId);
      await page.keyboard.press('x');
      await page.getByRole('region', { name: zh.inbox.bulk.label }).waitFor();
      await page.getByRole('button', { name: zh.inbox.bulk.clear }).click();

      // Select the two tickets and solve them together.
      await page.getByRole('checkbox', { name: zh.inbox.list.select.replace('{{number}}', String(a.number)) }).check();
      await page.getByRole('checkbox', { name: zh.inbox.list.select.replace('{{number}}', String(b.number)) }).check();
      const bulk = page.getByRole('region', { name: zh.inbox.bulk.label });
      await bulk.getByText(zh.inbox.bulk.selected_other.replace('{{count}}', '2')).waitFor();
      await page.screenshot({ path: join(screenshots, 'inbox-bulk-zh.png') });
      await bulk.getByRole('combobox', { name: zh.inbox.bulk.setStatus }).selectOption('solved');
      await page.getByText(zh.inbox.bulk.done_other.replace('{{count}}', '2')).waitFor();
      expect((await services.tickets.ticket(workspace.id, a.id)).status).toBe('solved');
      expect((await services.tickets.ticket(workspace.id, b.id)).status).toBe('solved');
      // Solved tickets leave the "unassigned" (unsolved) view.
      await expect.poll(() => page.getByRole('link', { name: /Bulk one: toner smudges/ }).count()).toBe(0);

      // Saved views: keep the current filters under a name, then delete it.
      await page.getByRole('button', { name: zh.inbox.views.save }).click();
      await page.getByRole('textbox', { name: zh.inbox.views.name }).fill('未分配的邮件');
      await page.getByRole('button', { name: zh.inbox.views.saveConfirm, exact: true }).click();
      const views = page.getByRole('navigation', { name: zh.inbox.views.label });
      await views.getByRole('link', { name: '未分配的邮件' }).waitFor();
      expect(await views.getByRole('link', { name: '未分配的邮件' }).getAttribute('aria-current')).toBe('page');
      await views.getByRole('button', { name: zh.inbox.views.delete.replace('{{name}}', '未分配的邮件') }).click();
      await expect.poll(() => views.getByRole('link', { name: '未分配的邮件' }).count()).toBe(0);

      // On a phone the views column gives way to the view picker, and the conversation stacks.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await views.isVisible()).toBe(false);
      await page.getByRole('combobox', { name: zh.inbox.filters.view }).selectOption('all');
      await page.getByRole('link', { name: /Printer caught fire/ }).waitFor();
      await page.screenshot({ path: join(screenshots, 'inbox-mobile-zh.png'), fullPage: true });
      await page.getByRole('link', { name: /Printer caught fire/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Printer caught fire during a print job' }).waitFor();
      await page.screenshot({ path: join(screenshots, 'conversation-mobile-zh.png'), fullPage: true });
      expect(agent.errors).toEqual([]);
    } finally {
      await agent.close();
    }
  }, 90_000);

  it('offers the canned replies in the language the reply goes out in, not the agent\'s', async () => {
    const { server } = running();
    const { services, workspace } = server.test;
    await services.tickets.addCannedReply(workspace.id, { title: 'Signature', body: '— {{agent.name}}, Yunmo', locale: null });
    const chinese = await services.tickets.open(workspace.id, { subject: '扫描仪无法开机', body: '按电源键没有反应。', channel: 'web', customer: { email: 'zhao.min@example.com', name: '赵敏' } }, SYSTEM);
    const english = await services.tickets.open(workspace.id, { subject: 'Scanner will not turn on', body: 'The power button does nothing.', channel: 'web', customer: { email: 'amy.wu@example.com', name: 'Amy Wu' } }, SYSTEM);
    const offered = async (page: Page, catalogue: typeof en, language: string) => {
      const select = page.getByRole('combobox', { name: catalogue.inbox.composer.canned });
      await select.locator('option').first().filter({ hasText: catalogue.inbox.composer.cannedIn.replace('{{language}}', language) }).waitFor({ state: 'attached' });
      return (await select.locator('option').allTextContents()).slice(1);
    };

    // An English-speaking agent answering a customer who wrote in Chinese is offered the Chinese replies.
    const emma = await openAgent('en-US', server.admin, `/agent/inbox/${chinese.number}`);
    try {
      await emma.page.getByRole('heading', { level: 1, name: '扫描仪无法开机' }).waitFor();
      expect(await offered(emma.page, en, en.language['zh-CN'])).toEqual(['问候', 'Signature']);
      expect(emma.errors).toEqual([]);
    } finally {
      await emma.close();
    }
    // And a Chinese-speaking one answering in English, the English ones.
    const agent = await openAgent('zh-CN', wang, `/agent/inbox/${english.number}`);
    try {
      await agent.page.getByRole('heading', { level: 1, name: 'Scanner will not turn on' }).waitFor();
      expect(await offered(agent.page, zh, zh.language.en)).toEqual(['Greeting', 'Signature']);
      expect(agent.errors).toEqual([]);
    } finally {
      await agent.close();
    }
  }, 60_000);
});
