import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tenancy } from '../../../core/tenancy.js';
import type { DB } from '../../../core/db/database.js';
import type { TestApp } from '../../../../test/helpers/app.js';
import { CustomerDataRights, type CustomerDataEraser } from '../customers.data-rights.js';
import { CustomersRepo } from '../customers.repo.js';
import { customersHarness, SYSTEM, tablesHolding, type Auth } from './customers.harness.js';
import { startReceiver, type Receiver } from '../../webhooks/__tests__/receiver.js';

/** Erasure (PIPL / GDPR): the customer's personal data leaves every table; the anonymous facts stay. */

let t: TestApp;
let admin: Auth;
let agent: Auth;
let otherAdmin: Auth;

let hooks: Receiver;

beforeAll(async () => {
  ({ t, admin, agent, otherAdmin } = await customersHarness());
  // A webhook keeps every ticket event it delivers (with the ticket's subject) in its delivery log.
  hooks = await startReceiver();
  const hook = await api(admin, 'POST', '/webhooks', { url: hooks.url, events: ['ticket.*'] });
  expect(hook.statusCode, hook.body).toBe(201);
});
afterAll(async () => {
  await t.close();
  await hooks.close();
});

const api = (headers: Auth, method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });

const whereFound = (value: string) => tablesHolding(t.database.db, value);

/** A customer with everything a customer leaves behind: identities, a ticket with an attachment, a quoted reply, mail, a product, an order, consent, an import. */
async function richCustomer(label: string, number: number) {
  const ws = t.workspace.id;
  const name = `钱多多${label}`;
  const email = `qian.${label}@example.com`;
  const phone = `+86139${String(number).padStart(8, '0')}`;
  const customer = await t.services.customers.create(ws, {
    name, email, locale: 'zh-CN', timeZone: 'Asia/Shanghai', companyId: null, address: { line1: `${label} 浦东新区张江路 88 号`, city: '上海' },
    tags: ['vip'], attributes: {}, identities: [{ kind: 'phone', value: phone, primary: true, verified: true }, { kind: 'email', value: `qian.home.${label}@example.cn`, primary: false, verified: false }],
  }, SYSTEM);
  const file = await t.services.attachments.save({ filename: `${label}-receipt.txt`, stream: Readable.from([Buffer.from(`receipt of ${name}`)]) });
  const ticket = await t.services.tickets.open(ws, {
    subject: `${name} 的打印机卡纸`, body: `我是${name}，电话 ${phone}，打印机卡纸了。`, channel: 'web', customer: { id: customer.id }, attachments: [file],
  }, { type: 'customer', id: customer.id });
  await t.services.tickets.addMessage(ws, ticket.id, { kind: 'reply', body: `${name}您好，我们会致电 ${phone}。` }, { type: 'agent', id: t.workspace.admin.id });
  await t.services.tickets.update(ws, ticket.id, { status: 'solved' }, { type: 'agent', id: t.workspace.admin.id });
  const product = (await t.services.customers.products(ws)).find((p) => p.model === 'YM-ERASE') ?? await t.services.customers.createProduct(ws, { model: 'YM-ERASE', names: { en: 'Printer' }, category: '' });
  await t.services.customers.registerProduct(ws, customer.id, { productId: product.id, serial: `SERIAL-${label}`, purchasedOn: '2026-01-01', warrantyUntil: null, boughtFrom: '' }, SYSTEM);
  await t.services.customers.addOrder(ws, customer.id, { reference: `ORDER-${label}`, orderedAt: new Date('2026-01-01T00:00:00Z'), currency: 'CNY', lines: [{ productId: product.id, description: 'Printer', quantity: 1, amount: '899.00' }] }, SYSTEM);
  const purpose = (await t.services.customers.purposes(ws)).find((p) => p.key === 'newsletter') ?? await t.services.customers.createPurpose(ws, { key: 'newsletter', names: { en: 'Newsletter' }, wordingVersion: 'v1' });
  await t.services.customers.setConsent(ws, customer.id, { purposeId: purpose.id, granted: true, channel: 'portal' }, { type: 'customer', id: customer.id });
  await t.services.customerImports.start(ws, { name: 'crm.csv', bytes: Buffer.from(`email,name\r\n${email},${name}\r\n`) }, SYSTEM);
  await t.jobs.drain();
  return { customer, name, email, phone, ticket, file };
}

describe('erasure', () => {
  it('is for admins only, asks for confirmation, and answers only in the customer\'s workspace', async () => {
    const customer = await t.services.customers.create(t.workspace.id, { name: 'Guarded', email: 'guarded@example.com', locale: null, timeZone: null, companyId: null, address: null, tags: [], attributes: {}, identities: [] }, SYSTEM);
    expect((await api(agent, 'POST', `/customers/${customer.id}/erasure`, { confirm: true })).statusCode).toBe(403);
    expect((await api(agent, 'GET', `/customers/${customer.id}/data-export`)).statusCode).toBe(403);
    expect((await api(admin, 'POST', `/customers/${customer.id}/erasure`, {})).json().error.code).toBe('VALIDATION_FAILED');
    expect((await api(admin, 'POST', `/customers/${customer.id}/erasure`, { confirm: 'yes' })).statusCode).toBe(400);
    expect((await api(otherAdmin, 'POST', `/customers/${customer.id}/erasure`, { confirm: true })).statusCode).toBe(404);
    expect((await api(otherAdmin, 'GET', `/customers/${customer.id}/data-export`)).statusCode).toBe(404);
    expect((await api(admin, 'GET', `/customers/${customer.id}/erasure`)).json().error.code).toBe('ERASURE_NOT_FOUND');
    expect((await api(admin, 'POST', '/customers/00000000-0000-4000-8000-000000000000/erasure', { confirm: true })).statusCode).toBe(404);
    expect((await t.services.customers.customer(t.workspace.id, customer.id)).erased_at).toBeNull();
  });

  it('exports the record for an admin, audited', async () => {
    const { customer, name, ticket } = await richCustomer('export', 11112222);
    const res = await api(admin, 'GET', `/customers/${customer.id}/data-export`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ customer: { name }, tickets: [expect.objectContaining({ number: ticket.number })], purchases: [expect.objectContaining({ amount: '899.00' })] });
    const audit = await t.services.accounts.listAudit(t.workspace.id, { limit: 20 });
    expect(audit.some((a) => a.action === 'customer.exported' && a.target_id === customer.id)).toBe(true);
  });

  it('leaves no table holding their name, e-mails or phone, deletes their files, and keeps ticket counts and timings', async () => {
    const { customer, name, email, phone, ticket, file } = await richCustomer('gone', 22223333);
    const ws = t.workspace.id;
    for (const value of [name, email, phone, 'qian.home.gone@example.cn']) expect(await whereFound(value), value).not.toEqual([]);
    const before = await t.database.db.selectFrom('tickets').select(['id', 'status', 'created_at', 'first_response_at', 'solved_at', 'customer_id']).where('workspace_id', '=', ws).orderBy('id').execute();
    const messagesBefore = await t.database.db.selectFrom('ticket_messages').select(({ fn }) => fn.countAll<number>().as('n')).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();

    const asked = await api(admin, 'POST', `/customers/${customer.id}/erasure`, { confirm: true });
    expect(asked.statusCode, asked.body).toBe(202);
    expect(asked.json()).toMatchObject({ customerId: customer.id, status: 'queued', requestedBy: { type: 'api' } });
    // Asking twice answers the first request.
    expect((await api(admin, 'POST', `/customers/${customer.id}/erasure`, { confirm: true })).json().id).toBe(asked.json().id);
    await t.jobs.drain();

    const status = await api(admin, 'GET', `/customers/${customer.id}/erasure`);
    expect(status.json()).toMatchObject({ status: 'done', finishedAt: expect.any(String), counts: expect.objectContaining({ tickets: 2, identities: 3, products: 1 }) });
    for (const value of [name, email, phone, 'qian.home.gone@example.cn', `${'gone'} 浦东新区`, 'SERIAL-gone']) expect(await whereFound(value), value).toEqual([]);
    await expect(new Promise((resolve, reject) => t.services.attachments.open(file.storageKey).on('error', reject).on('data', resolve))).rejects.toMatchObject({ code: 'ATTACHMENT_NOT_FOUND' });

    // The facts reports count stay as they were: the same tickets, statuses and times, the same number of messages, the order's amount.
    const after = await t.database.db.selectFrom('tickets').select(['id', 'status', 'created_at', 'first_response_at', 'solved_at', 'customer_id']).where('workspace_id', '=', ws).orderBy('id').execute();
    expect(after).toEqual(before);
    expect(await t.database.db.selectFrom('ticket_messages').select(({ fn }) => fn.countAll<number>().as('n')).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow()).toEqual(messagesBefore);
    expect((await t.services.customers.orders(ws, customer.id)).map((o) => o.amount)).toEqual(['899.00']);
    expect(await t.services.customers.consentLog(ws, customer.id)).toHaveLength(1);
    const record = (await api(admin, 'GET', `/customers/${customer.id}/record`)).json();
    expect(record.customer).toMatchObject({ name: '[erased]', erasedAt: expect.any(String), tags: [], address: null });
    expect((await api(admin, 'GET', `/customers/${customer.id}/data-export`)).json().error.code).toBe('CUSTOMER_ERASED');

    // Audited, by id only.
    const audit = (await t.services.accounts.listAudit(ws, { limit: 50 })).filter((a) => a.target_id === customer.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['customer.erasure_requested', 'customer.erased']));
  });

  it('finishes after a crash half-way: the transaction leaves nothing half-erased and the retry erases it all', async () => {
    const { customer, name, email } = await richCustomer('crash', 33334444);
    const ws = t.workspace.id;
    const repo = CustomersRepo.of(await Tenancy.load<DB>(t.database.db));
    let crashes = 1;
    const ticketsTouched: CustomerDataEraser = async (db, subject, blank) => {
      await db.updateTable('ticket_messages').set({ body_text: blank }).where('author_type', '=', 'customer').where('author_id', '=', subject.id).execute();
      if (crashes-- > 0) throw new Error('the process died here');
      return { rows: 0 };
    };
    const dying = new CustomerDataRights(repo, t.services.customers, t.bus, t.clock, t.services.accounts, t.services.accounts, t.services.tickets, { first: ticketsTouched }, t.services.attachments);
    // The request's row alone (no event, so the app's own worker does not pick it up first).
    const erasure = (await repo.insertErasure(ws, { customer_id: customer.id, requested_by_type: 'agent', requested_by_id: t.workspace.admin.id })).row;
    await expect(dying.erase(ws, erasure.id)).rejects.toThrow('the process died here');
    // Nothing of it committed: their message, their name and the erasure's state are as they were, and nothing is audited.
    expect((await t.services.customers.customer(ws, customer.id)).name).toBe(name);
    expect(await whereFound(`我是${name}`)).toEqual(['ticket_messages.body_text']);
    expect((await dying.erasure(ws, customer.id))?.status).toBe('queued');
    expect(await erasedEntries(customer.id)).toEqual([]);

    // The retry (the job runs again, in the restarted app) finishes it; running it once more changes nothing.
    await t.services.customerDataRights.erase(ws, erasure.id);
    const done = await dying.erasure(ws, customer.id);
    await t.services.customerDataRights.erase(ws, erasure.id);
    expect(await dying.erasure(ws, customer.id)).toEqual(done);
    expect((await dying.erasure(ws, customer.id))?.status).toBe('done');
    for (const value of [name, email]) expect(await whereFound(value), value).toEqual([]);
    expect(await erasedEntries(customer.id)).toHaveLength(1);
  });

  it('writes its audit entry in the erasure\'s transaction: an erasure failing after the entry leaves neither', async () => {
    const { customer, name, email } = await richCustomer('audit', 44445555);
    const ws = t.workspace.id;
    const repo = CustomersRepo.of(await Tenancy.load<DB>(t.database.db));
    // The entry is written (in the transaction it is handed), then the process dies before the commit.
    const dyingAuditor: Pick<typeof t.services.accounts, 'audit'> = {
      audit: async (...entry) => {
        await t.services.accounts.audit(...entry);
        throw new Error('the process died after the audit entry');
      },
    };
    const dying = new CustomerDataRights(repo, t.services.customers, t.bus, t.clock, dyingAuditor, t.services.accounts, t.services.tickets, {}, t.services.attachments);
    const erasure = (await repo.insertErasure(ws, { customer_id: customer.id, requested_by_type: 'agent', requested_by_id: t.workspace.admin.id })).row;
    await expect(dying.erase(ws, erasure.id)).rejects.toThrow('the process died after the audit entry');
    expect(await erasedEntries(customer.id)).toEqual([]);
    expect((await dying.erasure(ws, customer.id))?.status).toBe('queued');
    expect((await t.services.customers.customer(ws, customer.id)).name).toBe(name);
    expect(await whereFound(email)).not.toEqual([]);

    // The retry erases and audits, once.
    await t.services.customerDataRights.erase(ws, erasure.id);
    await t.services.customerDataRights.erase(ws, erasure.id);
    expect((await dying.erasure(ws, customer.id))?.status).toBe('done');
    const entries = await erasedEntries(customer.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.details).toMatchObject({ erasureId: erasure.id, counts: expect.objectContaining({ identities: 3 }) });
    expect(JSON.stringify(entries[0]!.details)).not.toContain(email);
  });
});

/** The audit log's `customer.erased` entries of this customer. */
const erasedEntries = async (customerId: string) =>
  (await t.services.accounts.listAudit(t.workspace.id, { limit: 200, action: 'customer.erased' })).filter((a) => a.target_id === customerId);
