/**
 * Companies and consent purposes in a real browser against the real server. An admin (English
 * console) adds a company, is told under the field that its domain is taken, opens its page with its
 * members and their ticket counts, puts a customer in it from the customer's page, and edits it. In
 * the Chinese console an admin adds a consent purpose (a bad key is refused under the key field) and
 * publishes a new wording version with a Chinese name. An agent corrects a customer's registered
 * printer (a warranty ending before the purchase is refused under its field). An English admin's
 * CSV import is refused for its columns, then one bad row is reported, both in English words made
 * from the server's codes (the Chinese ones are checked in customers.e2e.test.ts).
 */
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crmEn from '../../web/console/src/features/customers/locales/en.json' with { type: 'json' };
import crmZh from '../../web/console/src/features/customers/locales/zh-CN.json' with { type: 'json' };
import { launchChromium, signInToConsole } from '../helpers/browser.js';
import { buildConsoleIfStale, startTestServer } from '../helpers/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer | undefined;
let browser: Browser | undefined;
const SYSTEM = { type: 'system' as const, id: null };
const blank = { locale: null, timeZone: null, companyId: null, address: null, tags: [], attributes: {}, identities: [] };
const ids: Record<string, string> = {};

beforeAll(async () => {
  buildConsoleIfStale();
  server = await startTestServer();
  const { services, workspace } = server.test;
  const harbour = await services.customers.createCompany(workspace.id, { name: 'Harbour Office', domain: 'harbour.example', notes: '' }, SYSTEM);
  const oliver = await services.customers.create(workspace.id, { ...blank, name: 'Oliver Chan', email: 'oliver@harbour.example', companyId: harbour.id }, SYSTEM);
  const zhao = await services.customers.create(workspace.id, { ...blank, name: '赵敏', email: 'zhao.min@wenyin.example' }, SYSTEM);
  await services.tickets.open(workspace.id, { subject: 'Toner order', body: 'Please send toner', channel: 'web', customer: { id: oliver.id } }, SYSTEM);
  await services.tickets.open(workspace.id, { subject: '卡纸', body: '打印机卡纸', channel: 'email', customer: { id: zhao.id } }, SYSTEM);
  await services.customers.createPurpose(workspace.id, { key: 'newsletter', names: { en: 'Newsletter', 'zh-CN': '新闻通讯' }, wordingVersion: '2026-01' });
  const printer = await services.customers.createProduct(workspace.id, { model: 'YM-720', names: { en: 'YM-720 Laser', 'zh-CN': '云墨 YM-720' }, category: 'laser' });
  await services.customers.registerProduct(workspace.id, oliver.id, { productId: printer.id, serial: 'YM720-0001', purchasedOn: '2026-01-10', warrantyUntil: '2027-01-10', boughtFrom: '' }, SYSTEM);
  Object.assign(ids, { harbour: harbour.id, oliver: oliver.id, zhao: zhao.id });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('companies and consent purposes in the console', () => {
  it('adds a company (a taken domain shown under its field), puts a customer in it from their page and edits it', async () => {
    if (!server || !browser) throw new Error('the test server or browser did not start');
    const c = crmEn.companies;
    const { page, errors, close } = await signInToConsole(browser, `${server.url}/agent/customers/companies`, { email: server.admin.email, password: server.admin.password }, { locale: 'en' });
    try {
      await page.getByRole('heading', { level: 2, name: c.title }).waitFor();
      await page.getByRole('row', { name: /Harbour Office harbour\.example 1 customer/ }).waitFor();

      const form = page.locator('.crm-company-form');
      await form.getByLabel(c.name).fill('上海文印');
      await form.getByLabel(c.domain).fill('HARBOUR.example');
      await form.getByRole('button', { name: c.create }).click();
      await form.getByText(crmEn.fieldRules.domainTaken).waitFor();
      expect(await form.getByLabel(c.domain).getAttribute('aria-invalid')).toBe('true');
      await form.getByLabel(c.domain).fill('https://wenyin.example');
      await form.getByRole('button', { name: c.create }).click();
      await form.getByText(crmEn.fieldRules.domain).waitFor();
      await form.getByLabel(c.domain).fill('wenyin.example');
      await form.getByLabel(c.notes).fill('Dealer in Shanghai');
      await form.getByRole('button', { name: c.create }).click();

      await page.getByRole('heading', { level: 2, name: '上海文印' }).waitFor();
      await page.getByText(c.noMembers).waitFor();
      const companyUrl = page.url();

      // Put 赵敏 in the company from her page.
      await page.goto(`${server.url}/agent/customers/${ids.zhao}`);
      await page.getByRole('heading', { level: 2, name: '赵敏' }).waitFor();
      await page.getByRole('button', { name: crmEn.record.changeCompany }).click();
      const select = page.getByLabel(crmEn.record.chooseCompany);
      await expect.poll(() => select.locator('option').count(), { timeout: 30_000 }).toBe(3);
      await select.selectOption({ label: '上海文印' });
      await page.locator('.crm-company-membership').getByRole('link', { name: '上海文印' }).click();

      await page.getByRole('heading', { level: 2, name: '上海文印' }).waitFor();
      expect(page.url()).toBe(companyUrl);
      await page.getByRole('row', { name: /赵敏 zhao\.min@wenyin\.example 1/ }).waitFor();

      await page.getByRole('button', { name: c.edit }).click();
      const edit = page.locator('.crm-company-form');
      await edit.getByLabel(c.name).fill('Harbour Office');
      await edit.getByRole('button', { name: c.save }).click();
      await edit.getByText(crmEn.fieldRules.companyTaken).waitFor();
      await edit.getByLabel(c.name).fill('上海文印科技有限公司');
      await edit.getByRole('button', { name: c.save }).click();
      await page.getByRole('heading', { level: 2, name: '上海文印科技有限公司' }).waitFor();
      await page.getByText('Dealer in Shanghai').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
    const { services, workspace } = server.test;
    const [zhao] = (await services.customers.list(workspace.id, { q: 'zhao.min@' })).customers;
    const company = (await services.customers.companies(workspace.id)).find((co) => co.id === zhao!.company_id);
    expect(company).toMatchObject({ name: '上海文印科技有限公司', domain: 'wenyin.example', notes: 'Dealer in Shanghai' });
  }, 240_000);

  it('adds a consent purpose (a bad key refused under its field) and publishes a new wording version (zh-CN)', async () => {
    if (!server || !browser) throw new Error('the test server or browser did not start');
    const p = crmZh.purposes;
    const { page, errors, close } = await signInToConsole(browser, `${server.url}/agent/customers/consent-purposes`, { email: server.admin.email, password: server.admin.password }, { locale: 'zh-CN' });
    try {
      await page.getByRole('heading', { level: 2, name: p.title }).waitFor();
      await page.getByRole('row', { name: /newsletter Newsletter 新闻通讯 2026-01/ }).waitFor();

      const form = page.locator('form.crm-purpose-form');
      await form.getByLabel(p.key).fill('Product Notices');
      await form.getByLabel(p.nameEn).fill('Product notices');
      await form.getByLabel(p.wordingVersion).fill('v1');
      await form.getByRole('button', { name: p.create }).click();
      await form.getByText(crmZh.fieldRules.key).waitFor();
      await form.getByLabel(p.key).fill('newsletter');
      await form.getByRole('button', { name: p.create }).click();
      await form.getByText(crmZh.fieldRules.keyTaken).waitFor();
      await form.getByLabel(p.key).fill('product_notices');
      await form.getByRole('button', { name: p.create }).click();
      await page.getByRole('row', { name: /product_notices Product notices — v1/ }).waitFor();

      await page.getByRole('button', { name: p.editNamed.replace('{{key}}', 'product_notices') }).click();
      const edit = page.locator('tr form.crm-purpose-form');
      await edit.getByLabel(p.nameZh).fill('产品通知');
      await edit.getByLabel(p.wordingVersion).fill('');
      await edit.getByRole('button', { name: p.save }).click();
      await edit.getByText(crmZh.fieldRules.required).waitFor();
      await edit.getByLabel(p.wordingVersion).fill('v2');
      await edit.getByRole('button', { name: p.save }).click();
      await page.getByRole('row', { name: /product_notices Product notices 产品通知 v2/ }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
    const { services, workspace } = server.test;
    const saved = (await services.customers.purposes(workspace.id)).find((x) => x.key === 'product_notices');
    expect(saved).toMatchObject({ names: { en: 'Product notices', 'zh-CN': '产品通知' }, wording_version: 'v2' });
  }, 240_000);

  it('corrects a registered product from the customer\'s page, a warranty before the purchase refused under its field', async () => {
    if (!server || !browser) throw new Error('the test server or browser did not start');
    const r = crmEn.record;
    const { page, errors, close } = await signInToConsole(browser, `${server.url}/agent/customers/${ids.oliver}`, { email: server.admin.email, password: server.admin.password }, { locale: 'en' });
    try {
      await page.getByRole('heading', { level: 2, name: 'Oliver Chan' }).waitFor();
      await page.getByRole('button', { name: r.editProduct, exact: true }).click();
      const form = page.locator('.crm-registration-form');
      await form.getByLabel(r.registration.serial).fill('YM720-0002');
      await form.getByLabel(r.registration.warrantyUntil).fill('2025-12-31');
      await form.getByRole('button', { name: r.save }).click();
      await form.getByText(crmEn.fieldRules.warrantyBeforePurchase).waitFor();
      await form.getByLabel(r.registration.warrantyUntil).fill('2028-01-10');
      await form.getByLabel(r.registration.boughtFrom).fill('Harbour shop');
      await form.getByRole('button', { name: r.save }).click();
      const products = page.locator('section[aria-labelledby="crm-products"]');
      await products.getByText('Serial YM720-0002').waitFor();
      await products.getByText('warranty until 2028-01-10').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
    const [registration] = await server.test.services.customers.registrations(server.test.workspace.id, ids.oliver!);
    expect(registration).toMatchObject({ serial: 'YM720-0002', purchased_on: '2026-01-10', warranty_until: '2028-01-10', bought_from: 'Harbour shop' });
  }, 240_000);

  it('explains an import\'s refused file and rows in the console\'s language (en)', async () => {
    if (!server || !browser) throw new Error('the test server or browser did not start');
    const i = crmEn.import;
    const { page, errors, close } = await signInToConsole(browser, `${server.url}/agent/customers/import`, { email: server.admin.email, password: server.admin.password }, { locale: 'en' });
    try {
      await page.getByRole('heading', { level: 2, name: i.title }).waitFor();
      const csv = (text: string) => ({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
      await page.getByLabel(i.file).setInputFiles(csv('email,name,shoe\r\na@example.com,A,42\r\n'));
      await page.getByRole('button', { name: i.start, exact: true }).click();
      await page.getByText(i.fileProblems.unknownColumns.replace('{{columns}}', 'shoe')).waitFor();
      await page.getByText(i.fileProblems.allowedColumns).waitFor();

      await page.getByLabel(i.file).setInputFiles(csv('email,name,phone\r\nnew.one@example.com,New One,+44 20 7946 0000\r\nbad.phone@example.com,Bad,12\r\n'));
      await page.getByRole('button', { name: i.start, exact: true }).click();
      const refused = page.locator('.crm-refused tbody tr');
      await expect.poll(() => refused.allInnerTexts(), { timeout: 60_000 }).toEqual([expect.stringMatching(/^3\s+bad\.phone@example\.com\s+Not a valid phone number\.$/)]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);
});
