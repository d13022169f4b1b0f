/**
 * A customer walks the "printer does not print" tree on the portal in a real browser (zh-CN),
 * steps back once, reaches "open a repair request", finds the contact form pre-filled with the
 * product and the steps taken, sends it, and the ticket keeps those steps.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zhCN as portal } from '../../src/core/i18n/catalogues/zh-CN.js';
import { zhCN as trees } from '../../src/modules/troubleshooting/troubleshooting.i18n.js';
import { seedTroubleshootingDemo } from '../../src/modules/troubleshooting/index.js';
import { launchChromium } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
let server: TestServer | undefined;
let browser: Browser | undefined;
const screenshots = process.env.KEFU_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'kefu-troubleshooting-e2e-'));

beforeAll(async () => {
  server = await startTestServer();
  await seedTroubleshootingDemo(server.test.services.troubleshooting, server.test.workspace.id, { type: 'system', id: null });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  console.info(`troubleshooting e2e screenshots: ${screenshots}`);
});

describe('walking a troubleshooting tree to a repair request', () => {
  it('keeps the path in the URL, steps back, and hands product and path to the contact form and the ticket', async () => {
    if (!server || !browser) throw new Error('the test server or browser did not start');
    const context = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false, viewport: { width: 420, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const step = page.locator('section.step h2');
    try {
      await page.goto(`${server.url}/help/troubleshoot`);
      await page.getByRole('link', { name: '打印机不打印' }).click();
      expect(await step.innerText()).toBe('电源指示灯亮吗？');

      await page.getByRole('link', { name: '是', exact: true }).click();
      expect(await step.innerText()).toBe('是否有错误指示灯闪烁或屏幕显示错误信息？');
      await page.getByRole('link', { name: '是', exact: true }).click();
      expect(await step.innerText()).toBe('打印机提示什么？');
      expect(new URL(page.url()).searchParams.get('path')).toBe('on.error');

      // One step back: a plain link to the previous step's address.
      await page.getByRole('link', { name: `← ${trees.back}` }).click();
      expect(await step.innerText()).toBe('是否有错误指示灯闪烁或屏幕显示错误信息？');
      expect(new URL(page.url()).searchParams.get('path')).toBe('on');

      await page.getByRole('link', { name: '否', exact: true }).click();
      expect(await step.innerText()).toBe('电脑的打印队列中能看到该文档吗？');
      await page.getByRole('link', { name: '是', exact: true }).click();
      await page.getByRole('link', { name: '否', exact: true }).click();
      expect(await step.innerText()).toBe('打印组件需要检修');
      expect(await page.locator('ol.steps li').count()).toBe(4);
      await page.screenshot({ path: join(screenshots, 'repair-step.png'), fullPage: true });

      await page.getByRole('link', { name: trees.repairButton }).click();
      await page.waitForURL(/\/contact\?/);
      expect(await page.locator('.troubleshooting .product').innerText()).toBe('云墨 P 系列喷墨打印机');
      const path = page.locator('.troubleshooting ol.path li');
      expect(await path.allInnerTexts()).toEqual([
        '电源指示灯亮吗？ —— 是',
        '是否有错误指示灯闪烁或屏幕显示错误信息？ —— 否',
        '电脑的打印队列中能看到该文档吗？ —— 是',
        '按住“取消”键 5 秒。能打印出测试页吗？ —— 否',
        '打印组件需要检修',
      ]);
      expect(await page.getByLabel(portal.contact.subject).inputValue()).toBe('打印机不打印：报修请求');
      await page.screenshot({ path: join(screenshots, 'contact-prefilled.png'), fullPage: true });

      await page.getByLabel(portal.account.name).fill('张伟');
      await page.getByLabel(portal.account.email).fill('zhang.wei@example.com');
      await page.getByLabel(portal.contact.message).fill('自检页也打印不出来。');
      await page.getByRole('button', { name: portal.contact.send }).click();
      await page.waitForURL(/\/contact\/sent/);
      const number = Number(/#(\d+)/.exec(await page.locator('.notice').innerText())?.[1]);

      const ticket = await server.test.services.tickets.ticketByNumber(server.test.workspace.id, number);
      expect(ticket.custom_fields).toMatchObject({ product: '云墨 P 系列喷墨打印机' });
      expect(String(ticket.custom_fields.troubleshootingPath).split('\n')).toHaveLength(5);
      expect(ticket.custom_fields.troubleshootingPath).not.toContain('打印机提示什么？'); // the step taken back is not on the path
      const [message] = await server.test.services.tickets.thread(server.test.workspace.id, ticket.id, { includeNotes: false });
      expect(message!.body_text).toContain(`${trees.contact.pathInMessage}\n电源指示灯亮吗？ —— 是`);

      const tree = (await server.test.services.troubleshooting.list(server.test.workspace.id, { locale: 'zh-CN' }))[0]!;
      const stats = Object.fromEntries((await server.test.services.troubleshooting.stats(server.test.workspace.id, tree.id)).map((s) => [s.nodeId, s]));
      expect(stats['repair-print']).toMatchObject({ visits: 1, repairs: 1, dropOffs: 0 });
      expect(stats['error-kind']).toMatchObject({ visits: 1, advances: 0, dropOffs: 1 });
    } finally {
      await context.close();
    }
  }, 120_000);
});
