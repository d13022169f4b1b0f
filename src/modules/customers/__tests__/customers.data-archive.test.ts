import { Readable } from 'node:stream';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { SYSTEM, useCustomersHarness } from './customers.harness.js';

/** The customer's data as a zip (PIPL / GDPR): data.json, one CSV per kind, and their attachments byte for byte. */

const { h } = useCustomersHarness();

const BOM = '\uFEFF';

describe('customer data archive', () => {
  it('zips the JSON export, a CSV per kind and the attachments of their tickets for an admin, audited', async () => {
    const ws = h.t.workspace.id;
    const customer = await h.t.services.customers.create(ws, {
      name: '钱多多', email: 'qian@example.com', locale: 'zh-CN', timeZone: 'Asia/Shanghai', companyId: null, address: null,
      tags: [], attributes: {}, identities: [{ kind: 'phone', value: '+8613900001111', primary: true, verified: false }],
    }, SYSTEM);
    // Bytes that are not text in any encoding, to be compared one by one.
    const receipt = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x80, ...Buffer.from('收据 receipt')]);
    const file = await h.t.services.attachments.save({ filename: '收据 1.txt', stream: Readable.from([receipt]) });
    const ticket = await h.t.services.tickets.open(ws, { subject: '打印机卡纸', body: '=HYPERLINK("x") 卡纸了', channel: 'web', customer: { id: customer.id }, attachments: [file] }, { type: 'customer', id: customer.id });
    await h.t.services.tickets.addMessage(ws, ticket.id, { kind: 'note', body: 'INTERNAL only' }, { type: 'agent', id: h.t.workspace.admin.id });
    await h.t.services.tickets.addMessage(ws, ticket.id, { kind: 'reply', body: 'Please clean the roller' }, { type: 'agent', id: h.t.workspace.admin.id });
    const product = await h.t.services.customers.createProduct(ws, { model: 'YM-720', names: { en: 'YM-720 Laser' }, category: 'laser' });
    await h.t.services.customers.registerProduct(ws, customer.id, { productId: product.id, serial: 'SN-1', purchasedOn: '2026-01-02', warrantyUntil: '2028-01-02', boughtFrom: '京东' }, SYSTEM);
    await h.t.services.customers.addOrder(ws, customer.id, { reference: 'ORD-1', orderedAt: new Date('2026-01-02T03:04:05Z'), currency: 'CNY', lines: [{ productId: product.id, description: 'YM-720', quantity: 2, amount: '1798.00' }] }, SYSTEM);
    const purpose = await h.t.services.customers.createPurpose(ws, { key: 'newsletter', names: { en: 'Newsletter' }, wordingVersion: 'v3' });
    await h.t.services.customers.setConsent(ws, customer.id, { purposeId: purpose.id, granted: true, channel: 'portal' }, { type: 'customer', id: customer.id });

    expect((await h.t.app.http.inject({ url: `/api/v1/customers/${customer.id}/data-archive`, headers: h.agent })).statusCode).toBe(403);
    expect((await h.t.app.http.inject({ url: `/api/v1/customers/${customer.id}/data-archive`, headers: h.otherAdmin })).json().error.code).toBe('CUSTOMER_NOT_FOUND');
    const res = await h.t.app.http.inject({ url: `/api/v1/customers/${customer.id}/data-archive`, headers: h.admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="customer-${customer.id}.zip"`);
    const files = unzipSync(new Uint8Array(res.rawPayload));
    const attachmentPath = `attachments/${ticket.number}/1-1-收据 1.txt`;
    expect(Object.keys(files).sort()).toEqual([attachmentPath, 'consents.csv', 'data.json', 'messages.csv', 'orders.csv', 'products.csv', 'tickets.csv'].sort());
    expect(Buffer.from(files[attachmentPath]!).equals(receipt)).toBe(true);

    const data = JSON.parse(strFromU8(files['data.json']!));
    expect(data).toMatchObject({ format: 'kefu.customer-data/1', customer: { id: customer.id, name: '钱多多', email: 'qian@example.com' } });
    expect(data.tickets[0].messages[0].attachments).toEqual([{ filename: '收据 1.txt', contentType: 'text/plain', sizeBytes: receipt.length, file: attachmentPath }]);
    expect(JSON.stringify(data)).not.toContain(file.storageKey);

    // Buffer keeps the BOM (TextDecoder would drop it).
    const text = (name: string) => Buffer.from(files[name]!).toString('utf8');
    const createdAt = data.tickets[0].createdAt as string;
    expect(text('tickets.csv')).toBe(`${BOM}number,subject,status,channel,created_at,updated_at\r\n${ticket.number},打印机卡纸,${data.tickets[0].status},web,${createdAt},${data.tickets[0].updatedAt}\r\n`);
    const messages = text('messages.csv').split('\r\n');
    expect(messages[0]).toBe(`${BOM}ticket,from,channel,at,text,attachments`);
    // A customer's text that a spreadsheet would run as a formula is defused; internal notes are not there.
    expect(messages[1]).toBe(`${ticket.number},you,web,${data.tickets[0].messages[0].at},"'=HYPERLINK(""x"") 卡纸了",${attachmentPath}`);
    expect(messages[2]).toMatch(new RegExp(`^${ticket.number},support,web,[^,]+,Please clean the roller,$`));
    expect(messages).toHaveLength(4);
    expect(text('messages.csv')).not.toContain('INTERNAL');
    expect(text('products.csv')).toMatch(/^\uFEFFmodel,serial,purchased_on,warranty_until,bought_from,registered_at\r\nYM-720,SN-1,2026-01-02,2028-01-02,京东,[^,]+\r\n$/);
    expect(text('orders.csv')).toBe(`${BOM}reference,ordered_at,amount,currency,line,quantity,line_amount\r\nORD-1,2026-01-02T03:04:05.000Z,1798.00,CNY,YM-720,2,1798.00\r\n`);
    expect(text('consents.csv')).toMatch(/^\uFEFFpurpose,granted,channel,wording_version,changed_by,changed_at\r\nnewsletter,true,portal,v3,customer,[^,]+\r\n$/);

    const audit = await h.t.services.accounts.listAudit(ws, { limit: 20 });
    expect(audit.filter((a) => a.action === 'customer.exported' && a.target_id === customer.id)).toHaveLength(1);
  });

  it('answers an erased customer with 410 and an unknown one with 404', async () => {
    const ws = h.t.workspace.id;
    const leaving = await h.t.services.customers.create(ws, { name: 'Leaving', email: 'leaving@example.com', locale: null, timeZone: null, companyId: null, address: null, tags: [], attributes: {}, identities: [] }, SYSTEM);
    await h.t.services.customerDataRights.requestErasure(ws, leaving.id, { type: 'system', id: null }, SYSTEM);
    await h.t.jobs.drain();
    const gone = await h.t.app.http.inject({ url: `/api/v1/customers/${leaving.id}/data-archive`, headers: h.admin });
    expect(gone.statusCode).toBe(410);
    expect(gone.json().error.code).toBe('CUSTOMER_ERASED');
    expect((await h.t.app.http.inject({ url: '/api/v1/customers/00000000-0000-4000-8000-000000000000/data-archive', headers: h.admin })).statusCode).toBe(404);
  });
});
