/**
 * The customer database in a real browser against the real server: in the Chinese console an
 * agent sees the record's products and timeline in a ticket's screen-pop, finds the customer by a Chinese name, reads the record (products, timeline) and merges the
 * suggested duplicate; an admin imports a GBK-encoded CSV of 1,000 customers with 3 bad rows and
 * sees the progress, the bad rows by line and the good rows in the list. In the help centre a customer
 * registers, confirms the address by the mailed link (once: a second use is refused), then uses 我的
 * (My account): registers a printer, withdraws a consent, downloads their data and asks for
 * its erasure, confirmed by the mailed link; in the console an admin erases another customer from the record after confirming,
 * and a customer known only by phone shows no e-mail (never their placeholder address).
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { readFile } from 'node:fs/promises';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zh from '../../web/console/src/locales/zh-CN.json' with { type: 'json' };
import crmZh from '../../web/console/src/features/customers/locales/zh-CN.json' with { type: 'json' };
import { launchChromium, signInToConsole, type ConsoleSession } from '../helpers/browser.js';
import { buildConsoleIfStale, startTestServer } from '../helpers/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer | undefined;
let browser: Browser | undefined;
let dir = '';
let ticketNumber = 0;
const SYSTEM = { type: 'system' as const, id: null };
const agent = { email: 'crm.agent@acme.example', name: 'CRM Agent', password: 'crm-agent-password-1' };
const blank = { locale: null, timeZone: null, companyId: null, address: null, tags: [], attributes: {}, identities: [] };

beforeAll(async () => {
  buildConsoleIfStale();
  server = await startTestServer();
  dir = await mkdtemp(path.join(tmpdir(), 'kefu-crm-'));
  const { services, workspace } = server.test;
  await services.accounts.createAgent(workspace.id, { ...agent, role: 'agent' }, SYSTEM);
  const zhao = await services.customers.create(workspace.id, {
    ...blank, name: '赵敏', email: 'zhao.min@wenyin.example', locale: 'zh-CN', tags: ['vip'],
    identities: [{ kind: 'phone', value: '+8613800138000', primary: true, verified: true }],
  }, SYSTEM);
  await services.customers.create(workspace.id, {
    ...blank, name: '赵敏', email: 'zhaomin.home@example.cn', timeZone: 'Asia/Shanghai', identities: [{ kind: 'phone', value: '138 0013 8000', primary: true, verified: false }],
  }, SYSTEM);
  const printer = await services.customers.createProduct(workspace.id, { model: 'YM-720', names: { en: 'YM-720 laser printer', 'zh-CN': '云墨 YM-720 激光打印机' }, category: 'printer' });
  await services.customers.registerProduct(workspace.id, zhao.id, { productId: printer.id, serial: 'YM720-0001', purchasedOn: '2026-01-05', warrantyUntil: '2028-01-05', boughtFrom: '京东' }, SYSTEM);
  ticketNumber = (await services.tickets.open(workspace.id, { subject: '打印机卡纸', body: '第三页卡纸', channel: 'web', customer: { id: zhao.id } }, SYSTEM)).number;
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function running(): { server: TestServer; browser: Browser } {
  if (!server || !browser) throw new Error('the test server or browser did not start');
  return { server, browser };
}

const signIn = (who: { email: string; password: string; name: string }, path: string): Promise<ConsoleSession> =>
  signInToConsole(running().browser, `${running().server.url}${path}`, who, { locale: 'zh-CN', viewport: { width: 1280, height: 900 } });

describe('customers in the console', () => {
  it('finds a customer by a Chinese name, shows products and timeline, and merges the suggested duplicate', async () => {
    const { page, errors, close } = await signIn(agent, `/agent/inbox/${ticketNumber}`);
    try {
      // The screen-pop beside the ticket reads the same record: products owned and the timeline.
      const pop = page.locator('.side-panel.customer');
      await pop.getByText('云墨 YM-720 激光打印机').waitFor();
      await pop.getByText(`登记了 YM-720（序列号 YM720-0001）`).waitFor();
      await page.getByRole('link', { name: zh.nav.customers }).first().click();
      await page.getByRole('heading', { level: 1, name: zh.nav.customers }).waitFor();
      await page.getByLabel(crmZh.search).fill('赵敏');
      const rows = page.locator('.crm-table tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      await page.getByRole('row', { name: /zhao\.min@wenyin\.example/ }).getByRole('link', { name: '赵敏' }).click();

      await page.getByRole('heading', { level: 3, name: crmZh.record.products }).waitFor();
      await page.getByText('云墨 YM-720 激光打印机').waitFor();
      await page.locator('.crm-timeline').getByText('打印机卡纸').waitFor();
      const suggestion = page.locator('.crm-duplicates li', { hasText: 'zhaomin.home@example.cn' });
      await suggestion.getByText(crmZh.duplicates.reasons.phone).waitFor();
      await suggestion.getByRole('button', { name: crmZh.duplicates.merge }).click();

      const dialog = page.getByRole('dialog');
      await dialog.getByRole('row', { name: new RegExp(crmZh.duplicates.fields.timeZone) }).getByRole('radio').nth(1).check();
      await dialog.getByRole('button', { name: crmZh.duplicates.confirm, exact: true }).click();
      await page.getByRole('status').getByText('已将 赵敏 合并到此客户。').waitFor();
      await page.locator('.crm-timeline').getByText('与 赵敏 <zhaomin.home@example.cn> 合并').waitFor();
      // The duplicate's phone, in its own spelling, is now one of the survivor's.
      await page.locator('.crm-list li').filter({ hasText: /^\S+\s+13800138000$/ }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
    const { services, workspace } = running().server.test;
    const survivor = await services.customers.findByIdentity(workspace.id, 'email', 'zhaomin.home@example.cn');
    expect(survivor).toMatchObject({ email: 'zhao.min@wenyin.example', time_zone: 'Asia/Shanghai' });
  });

  it('imports a GBK CSV of 1,000 customers with 3 bad rows: progress, bad rows by line, good rows in the list', async () => {
    const lines = ['邮箱,姓名,电话,标签'];
    for (let i = 1; i <= 1000; i++) {
      if (i === 7) lines.push('not-an-email,坏行,,');
      else if (i === 300) lines.push(`daoru${i}@example.cn,导入${i},12,`);
      else if (i === 800) lines.push('daoru1@example.cn,重复,,');
      else lines.push(`daoru${i}@example.cn,导入客户${i},+86 137 ${String(20000000 + i)},导入;${i % 2 ? '单' : '双'}`);
    }
    const file = path.join(dir, '客户导入.csv');
    await writeFile(file, iconv.encode(lines.join('\r\n'), 'gbk'));

    const { page, errors, close } = await signIn(running().server.admin, '/agent/customers');
    try {
      await page.getByRole('link', { name: crmZh.import.open }).click();
      await page.getByRole('heading', { level: 2, name: crmZh.import.title }).waitFor();
      await page.getByLabel(crmZh.import.file).setInputFiles(file);
      await page.getByRole('button', { name: crmZh.import.start, exact: true }).click();
      await page.locator('.crm-progress progress').waitFor();
      await page.getByText('完成：新增 997，更新 0，拒绝 3。').first().waitFor({ timeout: 60_000 });
      const refused = page.locator('.crm-refused tbody tr');
      await expect.poll(() => refused.allInnerTexts()).toEqual([
        // The reasons in the console's language (zh-CN here), from the refusals' codes.
        expect.stringMatching(/^8\s+not-an-email\s+邮箱地址无效。$/),
        expect.stringMatching(/^301\s+daoru300@example\.cn\s+电话号码无效。$/),
        expect.stringMatching(/^801\s+daoru1@example\.cn\s+与第 2 行的邮箱相同。$/),
      ]);
      await page.getByRole('link', { name: crmZh.import.back }).click();
      await page.getByLabel(crmZh.search).fill('导入客户999');
      await page.getByRole('link', { name: '导入客户999' }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows a customer known only by phone as 无邮箱 in the list, the record and its identities, never their placeholder address', async () => {
    const { services, workspace } = running().server.test;
    const byPhone = await services.customers.create(workspace.id, {
      ...blank, name: '钱来电', email: null, identities: [{ kind: 'phone', value: '+8613500135000', primary: true, verified: false }],
    }, SYSTEM);
    expect(byPhone.email).toMatch(/\.invalid$/);
    const { page, errors, close } = await signIn(agent, '/agent/customers');
    try {
      await page.getByLabel(crmZh.search).fill('钱来电');
      const row = page.getByRole('row', { name: /钱来电/ });
      await row.getByText(crmZh.noEmail).waitFor();
      await row.getByRole('link', { name: '钱来电' }).click();
      const identities = page.locator('section[aria-labelledby="crm-identities"]');
      await identities.getByText('+8613500135000').waitFor();
      await identities.getByText(crmZh.noEmail).waitFor();
      await page.locator('.crm-profile').getByText(crmZh.noEmail).waitFor();
      for (const shown of [identities, page.locator('.crm-profile')]) expect(await shown.innerText()).not.toContain('.invalid');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('lets an admin erase a customer from the record, after typing their e-mail', async () => {
    const { services, workspace } = running().server.test;
    const leaving = await services.customers.create(workspace.id, {
      ...blank, name: '孙离开', email: 'sun.leaving@example.cn', identities: [{ kind: 'phone', value: '+8613600136000', primary: true, verified: false }],
    }, SYSTEM);
    const { page, errors, close } = await signIn(running().server.admin, `/agent/customers/${leaving.id}`);
    try {
      const section = page.locator('.crm-rights');
      await section.getByRole('link', { name: crmZh.rights.export }).waitFor();
      await section.getByRole('button', { name: crmZh.rights.erase }).click();
      const dialog = page.getByRole('dialog');
      const confirm = dialog.getByRole('button', { name: crmZh.rights.confirm, exact: true });
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel(crmZh.rights.typeEmail.replace('{{value}}', 'sun.leaving@example.cn')).fill('sun.leaving@example.cn');
      await confirm.click();
      // The erasure sweeps every text column of every table in one transaction: on the durable
      // drivers the tables hold the whole file's event log and jobs, and CI's machine is loaded.
      await section.getByText(/个人数据已于 .* 删除。/).waitFor({ timeout: 30_000 });
      await page.getByRole('heading', { level: 2, name: '[erased]' }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
    expect(await services.customers.customer(workspace.id, leaving.id)).toMatchObject({ name: '[erased]', erased_at: expect.any(Date) });
    expect(await services.customers.findByIdentity(workspace.id, 'phone', '+8613600136000')).toBeUndefined();
  });

  it('lets an admin erase a customer known only by phone after typing their phone, telling that nothing is mailed', async () => {
    const { services, workspace } = running().server.test;
    const byPhone = await services.customers.create(workspace.id, {
      ...blank, name: '周来电', email: null, identities: [{ kind: 'phone', value: '+8613700137000', primary: true, verified: false }],
    }, SYSTEM);
    const { page, errors, close } = await signIn(running().server.admin, `/agent/customers/${byPhone.id}`);
    try {
      const section = page.locator('.crm-rights');
      await section.getByRole('button', { name: crmZh.rights.erase }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText(crmZh.rights.noMail).waitFor();
      expect(await dialog.innerText()).not.toContain('.invalid');
      const confirm = dialog.getByRole('button', { name: crmZh.rights.confirm, exact: true });
      const typed = dialog.getByLabel(crmZh.rights.typePhone.replace('{{value}}', '+8613700137000'));
      await typed.fill('+86 137 0013 7001');
      expect(await confirm.isDisabled()).toBe(true);
      // Typed with spaces, as people say it: the digits decide.
      await typed.fill('+86 137 0013 7000');
      await confirm.click();
      await section.getByText(/个人数据已于 .* 删除。/).waitFor({ timeout: 30_000 });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
    expect(await services.customers.customer(workspace.id, byPhone.id)).toMatchObject({ name: '[erased]', erased_at: expect.any(Date) });
    expect(await services.customers.findByIdentity(workspace.id, 'phone', '+8613700137000')).toBeUndefined();
    const audit = (await services.accounts.listAudit(workspace.id, { limit: 100 })).filter((a) => a.target_id === byPhone.id);
    expect(audit.find((a) => a.action === 'customer.erasure_requested')?.actor_id).toBe(workspace.admin.id);
  });

  it('lets a customer register in the help centre and confirm by the mailed link, then in 我的 register a printer, withdraw a consent, download their data and erase it, confirmed by mail', async () => {
    const { services, workspace } = running().server.test;
    const { url } = running().server;
    const mailedLink = async (template: string, route: string) => {
      await running().server.test.jobs.drain();
      const [mail] = await running().server.test.database.db.selectFrom('mail_outbox').select('text_body')
        .where('to_address', '=', 'li.portal@example.cn').where('template', '=', template).execute();
      const link = new URL(new RegExp(`http\\S+${route}\\?token=[\\w-]+`).exec(await services.mailSecrets.render(mail!.text_body))![0]);
      return `${url}${link.pathname}${link.search}`;
    };
    let customerId = '';
    const purpose = await services.customers.createPurpose(workspace.id, { key: 'product_notices', names: { en: 'Product notices', 'zh-CN': '产品通知' }, wordingVersion: 'v1' });
    const context = await running().browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      await page.goto(`${url}/account/register`);
      await page.getByLabel('姓名').fill('李门户');
      await page.getByLabel('电子邮箱').fill('li.portal@example.cn');
      await page.getByLabel('密码').fill('portal-password-1');
      await page.getByRole('main').getByRole('button', { name: '注册账号' }).click();
      await page.getByRole('status').getByText('我们已向该邮箱发送了一封邮件').waitFor();
      customerId = (await services.customers.findByIdentity(workspace.id, 'email', 'li.portal@example.cn'))!.id;
      const unverified = await services.customers.identities(workspace.id, customerId);
      expect(unverified.find((i) => i.kind === 'email')?.verified_at).toBeNull();
      // The welcome mail's link shows a button (mail scanners open links); pressing it confirms the address, once.
      const verify = await mailedLink('accountCreated', '/account/verify-email');
      await page.goto(verify);
      await page.getByRole('button', { name: '确认地址' }).click();
      await page.getByRole('status').getByText('li.portal@example.cn 已确认。').waitFor();
      expect((await services.customers.identities(workspace.id, customerId)).find((i) => i.kind === 'email')?.verified_at).not.toBeNull();
      await page.goto(verify);
      await page.getByRole('button', { name: '确认地址' }).click();
      await page.getByRole('alert').waitFor();
      await services.customers.setConsent(workspace.id, customerId, { purposeId: purpose.id, granted: true, channel: 'portal' }, { type: 'customer', id: customerId });

      await page.goto(`${url}/account/sign-in`);
      await page.getByLabel('邮箱').fill('li.portal@example.cn');
      await page.getByLabel('密码').fill('portal-password-1');
      await page.getByRole('main').getByRole('button', { name: '登录' }).click();
      await page.getByRole('navigation').getByRole('link', { name: '我的账户' }).click();
      await page.getByRole('heading', { level: 1, name: '我的账户' }).waitFor();

      await page.getByLabel('型号').selectOption({ label: 'YM-720 · 云墨 YM-720 激光打印机' });
      await page.getByLabel('序列号').fill('YM720-LI-0009');
      await page.getByLabel('购买日期').fill('2026-02-14');
      await page.getByRole('button', { name: '登记', exact: true }).click();
      await page.getByRole('status').getByText('产品已登记。').waitFor();
      await page.getByText('YM720-LI-0009').waitFor();

      const consent = page.locator('li[data-purpose="product_notices"]');
      await consent.getByText('已同意').waitFor();
      await consent.getByRole('button', { name: '撤回' }).click();
      await page.locator('li[data-purpose="product_notices"]').getByText('已撤回').waitFor();

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载我的数据' }).click()]);
      const data = JSON.parse(await readFile((await download.path())!, 'utf8'));
      expect(data).toMatchObject({ customer: { name: '李门户', email: 'li.portal@example.cn' }, products: [expect.objectContaining({ serial: 'YM720-LI-0009' })] });
      expect(data.consents.find((c: { purpose: string }) => c.purpose === 'product_notices')).toMatchObject({ granted: false });

      await page.getByLabel('请输入您的登录邮箱以确认').fill('li.portal@example.cn');
      await page.getByRole('button', { name: '永久删除我的数据' }).click();
      await page.getByRole('status').getByText('我们已向 li.portal@example.cn 发送链接').waitFor();
      // They confirm by the link mailed to their sign-in address.
      await page.goto(await mailedLink('erasureConfirm', '/account/erase/confirm'));
      await page.getByRole('button', { name: '永久删除我的数据' }).click();
      await page.getByRole('status').getByText('正在删除您的数据').waitFor();
      await page.getByRole('navigation').getByRole('link', { name: '登录' }).waitFor();
    } finally {
      await context.close();
    }
    const erased = await services.customerDataRights.erasure(workspace.id, customerId);
    expect(erased?.requested_by_type).toBe('customer');
    await expect.poll(async () => (await services.customers.customer(workspace.id, customerId)).name).toBe('[erased]');
  });
});
