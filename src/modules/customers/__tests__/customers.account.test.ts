import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { customersHarness, SYSTEM } from './customers.harness.js';

/** "My account" in the help centre: the signed-in customer's own record, through the pages a browser posts. */

let t: TestApp;
let otherWorkspaceId: string;
let productId: string;
let foreignProductId: string;
let purposeId: string;

type Jar = Record<string, string>;
const cookie = (jar: Jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
const keep = (jar: Jar, res: { cookies: { name: string; value: string }[] }) => { for (const c of res.cookies) jar[c.name] = c.value; };
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

interface Visitor { jar: Jar; csrf: string; lang: 'en' | 'zh-CN' }

const get = (v: Visitor, url: string) => t.app.http.inject({ url, headers: { cookie: cookie(v.jar), 'accept-language': v.lang } });
const post = (v: Visitor, url: string, fields: Record<string, string>) => t.app.http.inject({
  method: 'POST', url, payload: new URLSearchParams({ _csrf: v.csrf, ...fields }).toString(),
  headers: { cookie: cookie(v.jar), 'content-type': 'application/x-www-form-urlencoded', 'accept-language': v.lang },
});

/** A portal customer with a password, signed in through the sign-in form. */
async function signedIn(email: string, name: string, lang: 'en' | 'zh-CN' = 'en'): Promise<Visitor & { id: string }> {
  const customer = await t.services.accounts.registerCustomer(t.workspace.id, { email, name, password: 'a-long-password', locale: null });
  const v: Visitor = { jar: {}, csrf: '', lang };
  const form = await get(v, '/account/sign-in');
  keep(v.jar, form);
  v.csrf = csrfOf(form.body);
  const res = await post(v, '/account/sign-in', { email, password: 'a-long-password' });
  expect(res.statusCode).toBe(303);
  keep(v.jar, res);
  const page = await get(v, '/account');
  keep(v.jar, page);
  v.csrf = csrfOf(page.body);
  return { ...v, id: customer.id };
}

const verificationMails = (to: string) => t.database.db.selectFrom('mail_outbox').select(['template', 'text_body', 'locale']).where('to_address', '=', to).where('template', '=', 'emailVerification').execute();
/** The link's token as the recipient gets it (the outbox stores only a reference to it). */
async function mailedToken(to: string): Promise<string> {
  await t.jobs.drain();
  const rows = await verificationMails(to);
  const text = await t.services.mailSecrets.render(rows.at(-1)!.text_body);
  return /verify-email\?token=([A-Za-z0-9_-]+)/.exec(text)![1]!;
}

beforeAll(async () => {
  ({ t, otherWorkspaceId } = await customersHarness());
  productId = (await t.services.customers.createProduct(t.workspace.id, { model: 'YM-720', names: { en: 'YM-720 Laser', 'zh-CN': 'YM-720 激光打印机' }, category: 'laser' })).id;
  foreignProductId = (await t.services.customers.createProduct(otherWorkspaceId, { model: 'YM-720', names: { en: 'Beta printer' }, category: '' })).id;
  purposeId = (await t.services.customers.createPurpose(t.workspace.id, { key: 'newsletter', names: { en: 'Newsletter', 'zh-CN': '新闻通讯' }, wordingVersion: 'v1' })).id;
});
afterAll(async () => { await t.close(); });

describe('My account', () => {
  it('is only for a signed-in customer, and shows their profile, products and consents in their language', async () => {
    const anonymous = await t.app.http.inject({ url: '/account' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/account/sign-in');
    expect((await t.app.http.inject({ url: '/account/export' })).headers.location).toBe('/account/sign-in');

    const v = await signedIn('mei@example.com', '李美', 'zh-CN');
    await t.services.customers.registerProduct(t.workspace.id, v.id, { productId, serial: 'SN-MEI-1', purchasedOn: '2026-01-02', warrantyUntil: '2099-01-02', boughtFrom: '' }, SYSTEM);
    const page = await get(v, '/account');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('我的账户');
    expect(page.body).toContain('李美');
    expect(page.body).toContain('mei@example.com');
    expect(page.body).toContain('YM-720 激光打印机');
    expect(page.body).toContain('SN-MEI-1');
    expect(page.body).toContain('保修期至 2099-01-02');
    expect(page.body).toContain('新闻通讯');
    expect(page.body).toContain('尚未征询');
    expect(page.body).toContain('href="/account"'); // the header's link
    expect((await get({ ...v, lang: 'en' }, '/account')).body).toContain('My account');
  });

  it('changes the profile, and explains bad fields in either language without changing anything', async () => {
    const v = await signedIn('ana@example.com', 'Ana');
    const bad = await post(v, '/account/profile', { name: '', locale: 'fr', timeZone: 'Mars/Olympus' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter your name');
    expect(bad.body).toContain('Choose a time zone');
    expect((await t.services.customers.customer(t.workspace.id, v.id)).name).toBe('Ana');

    const saved = await post(v, '/account/profile', { name: 'Ana Silva', locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('修改已保存'); // the language they chose, from this page on
    const customer = await t.services.customers.customer(t.workspace.id, v.id);
    expect(customer).toMatchObject({ name: 'Ana Silva', locale: 'zh-CN', time_zone: 'Asia/Shanghai' });
    const badZh = await post(v, '/account/profile', { name: 'x', locale: 'en', timeZone: 'Nowhere' });
    expect(badZh.statusCode).toBe(400);
    expect(badZh.body).toContain('请选择时区');
    expect(await t.services.customers.customer(t.workspace.id, v.id)).toMatchObject({ name: 'Ana Silva', time_zone: 'Asia/Shanghai' });

    // A cookie write without the form's CSRF token is refused.
    const forged = await t.app.http.inject({
      method: 'POST', url: '/account/profile', payload: 'name=Hijacked&locale=en&timeZone=',
      headers: { cookie: cookie(v.jar), 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.statusCode).toBe(403);
    expect((await t.services.customers.customer(t.workspace.id, v.id)).name).toBe('Ana Silva');
  });

  it('registers a product from the catalogue and refuses bad or foreign ones', async () => {
    const v = await signedIn('reg@example.com', 'Reg');
    const ok = await post(v, '/account/products', { productId, serial: 'SN-REG-1', purchasedOn: '2026-03-01', boughtFrom: '京东' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('Your product is registered.');
    expect(await t.services.customers.registrations(t.workspace.id, v.id)).toEqual([expect.objectContaining({ serial: 'SN-REG-1', purchased_on: '2026-03-01', bought_from: '京东' })]);

    expect((await post(v, '/account/products', { productId, serial: 'SN-REG-1', purchasedOn: '' })).statusCode).toBe(409);
    const foreign = await post(v, '/account/products', { productId: foreignProductId, serial: 'SN-REG-2', purchasedOn: '' });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.body).toContain('This model is not in our catalogue.');
    const future = await post(v, '/account/products', { productId, serial: 'SN-REG-3', purchasedOn: '2999-01-01' });
    expect(future.statusCode).toBe(400);
    expect((await post(v, '/account/products', { productId: 'not-a-uuid', serial: '', purchasedOn: '2026-02-30' })).statusCode).toBe(400);
    expect(await t.services.customers.registrations(t.workspace.id, v.id)).toHaveLength(1);
  });

  it('corrects a registered product\'s serial, purchase date and where bought; refuses bad values and others\' registrations', async () => {
    const v = await signedIn('fix@example.com', 'Fix');
    await post(v, '/account/products', { productId, serial: 'SN-FIX-1', purchasedOn: '2026-03-01', boughtFrom: '京东' });
    const [registration] = await t.services.customers.registrations(t.workspace.id, v.id);
    const page = await get(v, '/account');
    expect(page.body).toContain(`action="/account/products/${registration!.id}"`);
    expect(page.body).toContain('value="SN-FIX-1"');

    const fixed = await post(v, `/account/products/${registration!.id}`, { serial: 'SN-FIX-2', purchasedOn: '2026-02-15', boughtFrom: '天猫' });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.body).toContain('The details of your product are saved.');
    const cleared = { id: registration!.id, serial: 'SN-FIX-2', purchased_on: '2026-02-15', bought_from: '天猫', product_id: productId };
    expect(await t.services.customers.registrations(t.workspace.id, v.id)).toEqual([expect.objectContaining(cleared)]);

    // Bad values re-render the form with the field's message and change nothing.
    const future = await post(v, `/account/products/${registration!.id}`, { serial: 'SN-FIX-3', purchasedOn: '2999-01-01', boughtFrom: '' });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('Enter a date like 2026-05-31, not in the future.');
    expect((await post(v, `/account/products/${registration!.id}`, { serial: '', purchasedOn: '' })).body).toContain('Enter the serial number (at most 80 characters).');
    // Someone else's serial of the same model is theirs.
    const other = await signedIn('other-owner@example.com', 'Other');
    await post(other, '/account/products', { productId, serial: 'SN-OTHER', purchasedOn: '' });
    const taken = await post(v, `/account/products/${registration!.id}`, { serial: 'SN-OTHER', purchasedOn: '' });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('This serial number is already registered.');
    // Another customer's registration is not found for this one.
    const [theirs] = await t.services.customers.registrations(t.workspace.id, other.id);
    const foreign = await post(v, `/account/products/${theirs!.id}`, { serial: 'SN-STOLEN', purchasedOn: '' });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toContain('This product is not registered to you.');
    expect(await t.services.customers.registrations(t.workspace.id, other.id)).toEqual([expect.objectContaining({ serial: 'SN-OTHER' })]);
    expect(await t.services.customers.registrations(t.workspace.id, v.id)).toEqual([expect.objectContaining(cleared)]);
  });

  it('logs each consent given or withdrawn in the portal with its time and the customer as its author', async () => {
    const v = await signedIn('consent@example.com', 'Con');
    expect((await post(v, '/account/consents', { purposeId, granted: 'yes' })).statusCode).toBe(200);
    const withdrawn = await post(v, '/account/consents', { purposeId, granted: 'no' });
    expect(withdrawn.body).toContain('Withdrawn');
    const log = await t.services.customers.consentLog(t.workspace.id, v.id);
    expect(log.map((c) => [c.granted, c.channel, c.changed_by_type, c.changed_by_id])).toEqual([[false, 'portal', 'customer', v.id], [true, 'portal', 'customer', v.id]]);
    expect((await post(v, '/account/consents', { purposeId, granted: 'maybe' })).statusCode).toBe(400);
    const foreignPurpose = (await t.services.customers.createPurpose(otherWorkspaceId, { key: 'newsletter', names: { en: 'N' }, wordingVersion: 'v1' })).id;
    expect((await post(v, '/account/consents', { purposeId: foreignPurpose, granted: 'yes' })).statusCode).toBe(422);
  });

  it('adds and removes phone numbers, only their own', async () => {
    const v = await signedIn('phone@example.com', 'Pho');
    expect((await post(v, '/account/phones', { phone: '+86 139 1111 2222' })).statusCode).toBe(200);
    expect((await post(v, '/account/phones', { phone: 'call me' })).statusCode).toBe(400);
    const phone = (await t.services.customers.identities(t.workspace.id, v.id)).find((i) => i.kind === 'phone')!;
    expect(phone).toMatchObject({ value: '+8613911112222', verified_at: null });

    const other = await signedIn('other-phone@example.com', 'Oth');
    expect((await post(other, '/account/phones', { phone: '+8613911112222' })).statusCode).toBe(409);
    expect((await post(other, `/account/identities/${phone.id}/remove`, {})).statusCode).toBe(404);
    const primaryEmail = (await t.services.customers.identities(t.workspace.id, v.id)).find((i) => i.kind === 'email')!;
    expect((await post(v, `/account/identities/${primaryEmail.id}/remove`, {})).statusCode).toBe(409);
    expect((await post(v, `/account/identities/${phone.id}/remove`, {})).statusCode).toBe(200);
    expect((await t.services.customers.identities(t.workspace.id, v.id)).map((i) => i.kind)).toEqual(['email']);
  });

  it('shows a customer known only by phone "No e-mail" among their e-mails, never their placeholder address', async () => {
    // The sign-in address a phone-only customer gets (customers.validate.ts phoneOnlyAddress), in either language.
    const placeholder = 'phone-8613722223333@phone.invalid';
    for (const lang of ['zh-CN', 'en'] as const) {
      const v = await signedIn(lang === 'en' ? placeholder : 'phone-8613744445555@phone.invalid', '电话客户', lang);
      await t.services.customers.addIdentity(t.workspace.id, v.id, { kind: 'phone', value: lang === 'en' ? '+8613722223333' : '+8613744445555', primary: true, verified: true }, SYSTEM);
      const page = await get(v, '/account');
      expect(page.statusCode).toBe(200);
      const emails = /<section class="panel" aria-labelledby="emails">([\s\S]*?)<\/section>/.exec(page.body)![1]!;
      expect(emails).toContain(lang === 'en' ? 'No e-mail' : '无邮箱');
      expect(emails).not.toContain('.invalid');
      expect(page.body).toContain(lang === 'en' ? '+8613722223333' : '+8613744445555');
    }
    // A real address beside it is shown as before.
    const shown = await signedIn('shown@example.com', 'Shown');
    const page = await get(shown, '/account');
    expect(page.body).toContain('shown@example.com');
    expect(page.body).not.toContain('No e-mail');
  });

  it('adds an e-mail only once the mailed link is followed, then as verified (and primary when asked)', async () => {
    const v = await signedIn('first@example.com', 'Fir');
    const asked = await post(v, '/account/emails', { email: 'Second@Example.com', primary: 'yes' });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('We sent a confirmation link to second@example.com');
    await t.jobs.drain();
    expect(await verificationMails('second@example.com')).toEqual([expect.objectContaining({ locale: 'en' })]);
    expect((await t.services.customers.identities(t.workspace.id, v.id)).map((i) => i.value)).toEqual(['first@example.com']);

    const token = await mailedToken('second@example.com');
    // Opening the link (a mail scanner does) only shows the button.
    const shown = await t.app.http.inject({ url: `/account/verify-email?token=${token}` });
    expect(shown.statusCode).toBe(200);
    expect((await t.services.customers.identities(t.workspace.id, v.id))).toHaveLength(1);
    const visitor: Visitor = { jar: {}, csrf: csrfOf(shown.body), lang: 'en' };
    keep(visitor.jar, shown);
    const confirmed = await post(visitor, '/account/verify-email', { token });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('second@example.com is confirmed.');
    const emails = (await t.services.customers.identities(t.workspace.id, v.id)).filter((i) => i.kind === 'email');
    expect(emails.find((i) => i.value === 'second@example.com')).toMatchObject({ is_primary: true, verified_at: expect.any(Date) });
    expect((await t.services.customers.customer(t.workspace.id, v.id)).email).toBe('second@example.com');
    // They now sign in with it.
    expect((await t.services.accounts.signInCustomer(t.workspace.id, 'second@example.com', 'a-long-password')).customer.id).toBe(v.id);

    // A link works once; a made-up one is refused; an expired one says so.
    const reused = await post(visitor, '/account/verify-email', { token });
    expect(reused.statusCode).toBe(409);
    expect(reused.body).toContain('already been used');
    expect((await post(visitor, '/account/verify-email', { token: 'made-up-token-123' })).statusCode).toBe(400);
    expect((await post(visitor, '/account/verify-email', {})).statusCode).toBe(400);
    await post(v, '/account/emails', { email: 'third@example.com' });
    const late = await mailedToken('third@example.com');
    await t.database.db.updateTable('email_verifications').set({ expires_at: new Date(Date.now() - 1000) }).where('email', '=', 'third@example.com').execute();
    const expired = await post({ ...visitor, lang: 'zh-CN' }, '/account/verify-email', { token: late });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('此确认链接已过期');
    expect((await t.services.customers.identities(t.workspace.id, v.id)).map((i) => i.value)).not.toContain('third@example.com');
  });

  it('keeps a new portal account\'s address unverified until the welcome mail\'s link is opened', async () => {
    const v: Visitor = { jar: {}, csrf: '', lang: 'zh-CN' };
    const form = await get(v, '/account/register');
    keep(v.jar, form);
    v.csrf = csrfOf(form.body);
    expect((await post(v, '/account/register', { name: '新用户', email: 'newcomer@example.com', password: 'a-long-password' })).statusCode).toBe(200);
    await t.jobs.drain();
    const customer = (await t.services.customers.findByIdentity(t.workspace.id, 'email', 'newcomer@example.com'))!;
    expect((await t.services.customers.identities(t.workspace.id, customer.id))[0]).toMatchObject({ value: 'newcomer@example.com', verified_at: null });
    const [mail] = await t.database.db.selectFrom('mail_outbox').select(['template', 'text_body', 'subject']).where('to_address', '=', 'newcomer@example.com').execute();
    expect(mail).toMatchObject({ template: 'accountCreated', subject: expect.stringContaining('账号已创建') });
    const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(await t.services.mailSecrets.render(mail!.text_body))![1]!;
    expect((await post(v, '/account/verify-email', { token })).statusCode).toBe(200);
    expect((await t.services.customers.identities(t.workspace.id, customer.id))[0]).toMatchObject({ value: 'newcomer@example.com', is_primary: true, verified_at: expect.any(Date) });
    expect((await post(v, '/account/verify-email', { token })).statusCode).toBe(409);
  });

  it('refuses an address another customer holds, or a bad one', async () => {
    const v = await signedIn('holder@example.com', 'Hol');
    const taken = await post(v, '/account/emails', { email: 'first@example.com' }); // not theirs any more, still a customer's identity
    expect(taken.statusCode).toBe(409);
    expect((await post(v, '/account/emails', { email: 'not-an-address' })).statusCode).toBe(400);
    expect((await post(v, '/account/emails', { email: 'holder@example.com' })).statusCode).toBe(409);
    await t.jobs.drain();
    expect(await verificationMails('first@example.com')).toEqual([]);
  });

  it('downloads everything held on them as JSON, their replies included, internal notes not', async () => {
    const v = await signedIn('export@example.com', '赵导出');
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: 'Printer jams', body: 'It jams on every page', channel: 'web', customer: { id: v.id } }, { type: 'customer', id: v.id });
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'note', body: 'INTERNAL: difficult customer' }, { type: 'agent', id: t.workspace.admin.id });
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Please clean the roller' }, { type: 'agent', id: t.workspace.admin.id });
    await t.services.customers.registerProduct(t.workspace.id, v.id, { productId, serial: 'SN-EXP-1', purchasedOn: null, warrantyUntil: null, boughtFrom: '' }, SYSTEM);
    await t.services.customers.addNote(t.workspace.id, v.id, 'INTERNAL record note', { type: 'agent', id: t.workspace.admin.id });

    const res = await get(v, '/account/export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="my-data-/);
    const data = res.json();
    expect(data).toMatchObject({
      format: 'kefu.customer-data/1', customer: { id: v.id, name: '赵导出', email: 'export@example.com' },
      identities: [expect.objectContaining({ kind: 'email', value: 'export@example.com' })],
      products: [expect.objectContaining({ model: 'YM-720', serial: 'SN-EXP-1' })],
      tickets: [expect.objectContaining({ number: ticket.number, subject: 'Printer jams' })],
    });
    expect(data.tickets[0].messages.map((m: { from: string; text: string }) => [m.from, m.text])).toEqual([['you', 'It jams on every page'], ['support', 'Please clean the roller']]);
    expect(res.body).not.toContain('INTERNAL');
    // Another customer's export holds none of it.
    const other = await signedIn('export-other@example.com', 'Other');
    expect((await get(other, '/account/export')).body).not.toContain('Printer jams');

    // The same as a zip, with a CSV per kind.
    const zip = await get(v, '/account/export/archive');
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.headers['content-disposition']).toMatch(/^attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.zip"$/);
    const files = unzipSync(new Uint8Array(zip.rawPayload));
    expect(Object.keys(files).sort()).toEqual(['consents.csv', 'data.json', 'messages.csv', 'orders.csv', 'products.csv', 'tickets.csv']);
    expect(JSON.parse(Buffer.from(files['data.json']!).toString('utf8'))).toMatchObject({ customer: { id: v.id, email: 'export@example.com' }, products: [{ serial: 'SN-EXP-1' }] });
    expect(Buffer.from(files['messages.csv']!).toString('utf8').split('\r\n').slice(1, 3).map((line) => line.split(',').slice(1, 2).concat(line.split(',').slice(4, 5)))).toEqual([['you', 'It jams on every page'], ['support', 'Please clean the roller']]);
    expect(Buffer.from(files['messages.csv']!).toString('utf8')).not.toContain('INTERNAL');
    const otherZip = unzipSync(new Uint8Array((await get(other, '/account/export/archive')).rawPayload));
    expect(Buffer.from(otherZip['tickets.csv']!).toString('utf8')).toBe('\uFEFFnumber,subject,status,channel,created_at,updated_at\r\n');
    expect((await t.app.http.inject({ url: '/account/export/archive' })).statusCode).toBe(303);
  });

  it('erases the account once the customer types their address and confirms by the mailed link, and signs them out', async () => {
    const v = await signedIn('leaving@example.com', '离开的人');
    const wrong = await post(v, '/account/erase', { confirm: 'someone@example.com' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Type your sign-in address exactly.');
    expect((await post(v, '/account/erase', {})).statusCode).toBe(400);
    expect(await t.services.customerDataRights.erasure(t.workspace.id, v.id)).toBeUndefined();

    const asked = await post(v, '/account/erase', { confirm: 'Leaving@example.com' });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('we sent a link to leaving@example.com');
    await t.jobs.drain();
    // Nothing is erased on the session's word alone: the mailed link confirms it.
    expect(await t.services.customerDataRights.erasure(t.workspace.id, v.id)).toBeUndefined();
    const [mail] = await t.database.db.selectFrom('mail_outbox').select(['text_body']).where('to_address', '=', 'leaving@example.com').where('template', '=', 'erasureConfirm').execute();
    const token = /erase\/confirm\?token=([A-Za-z0-9_-]+)/.exec(await t.services.mailSecrets.render(mail!.text_body))![1]!;
    // A link of another purpose does not confirm an erasure, nor this one an address.
    expect((await post(v, '/account/verify-email', { token })).statusCode).toBe(400);
    expect((await get(v, `/account/erase/confirm?token=${token}`)).body).toContain('Erase my data for good');
    expect((await post(v, '/account/erase/confirm', { token: 'made-up-token-123' })).statusCode).toBe(400);

    const erased = await post(v, '/account/erase/confirm', { token });
    expect(erased.statusCode).toBe(200);
    expect(erased.body).toContain('Your data is being erased');
    await t.jobs.drain();
    expect(await t.services.customerDataRights.erasure(t.workspace.id, v.id)).toMatchObject({ status: 'done', requested_by_type: 'customer' });
    expect(await t.services.customers.customer(t.workspace.id, v.id)).toMatchObject({ name: '[erased]', erased_at: expect.any(Date) });
    expect((await get(v, '/account')).headers.location).toBe('/account/sign-in');
    await expect(t.services.accounts.signInCustomer(t.workspace.id, 'leaving@example.com', 'a-long-password')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    // The erasure forgot the customer's links too: this one is unknown now.
    expect((await post(v, '/account/erase/confirm', { token })).statusCode).toBe(400);
  });

  it('erases a customer known only by phone once they confirm with their password, mailing nothing to their placeholder address', async () => {
    const placeholder = 'phone-8613766667777@phone.invalid';
    const zh = await signedIn('phone-8613788889999@phone.invalid', '只有电话', 'zh-CN');
    expect((await get(zh, '/account')).body).toContain('我们没有您的邮箱地址，无法发送确认链接');
    const v = await signedIn(placeholder, 'Phone Only');
    await t.services.customers.addIdentity(t.workspace.id, v.id, { kind: 'phone', value: '+8613766667777', primary: true, verified: true }, SYSTEM);
    const page = await get(v, '/account');
    expect(page.body).toContain('We have no e-mail address of yours to send a link to');
    expect(page.body).toContain('name="password" type="password"');
    expect(page.body).not.toContain('Type your sign-in address');

    // A wrong or missing password, or the old form's field, erases nothing.
    for (const fields of [{ password: 'not-the-password' }, {}, { confirm: placeholder }] as Record<string, string>[]) {
      const refused = await post(v, '/account/erase', fields);
      expect(refused.statusCode, JSON.stringify(fields)).toBe(400);
      expect(refused.body).toContain('This password is not correct.');
    }
    expect(await t.services.customerDataRights.erasure(t.workspace.id, v.id)).toBeUndefined();

    const erased = await post(v, '/account/erase', { password: 'a-long-password' });
    expect(erased.statusCode).toBe(200);
    expect(erased.body).toContain('Your data is being erased');
    await t.jobs.drain();
    expect(await t.services.customerDataRights.erasure(t.workspace.id, v.id)).toMatchObject({ status: 'done', requested_by_type: 'customer', requested_by_id: v.id });
    expect(await t.services.customers.customer(t.workspace.id, v.id)).toMatchObject({ name: '[erased]', erased_at: expect.any(Date) });
    expect(await t.services.customers.findByIdentity(t.workspace.id, 'phone', '+8613766667777')).toBeUndefined();
    expect((await get(v, '/account')).headers.location).toBe('/account/sign-in');
    // No link went to the placeholder: nothing could read it.
    expect(await t.database.db.selectFrom('mail_outbox').select('id').where('to_address', '=', placeholder).execute()).toEqual([]);
    const audit = (await t.services.accounts.listAudit(t.workspace.id, { limit: 50 })).filter((a) => a.target_id === v.id).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['customer.erasure_requested', 'customer.erased']));
  });
});
