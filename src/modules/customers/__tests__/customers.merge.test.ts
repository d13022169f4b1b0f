import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { customersHarness, SYSTEM, type Auth } from './customers.harness.js';
import type { CustomerInput } from '../customers.validate.js';

let t: TestApp;
let agent: Auth;
let otherAdmin: Auth;
let otherCustomerId: string;

beforeAll(async () => {
  let otherWorkspaceId: string;
  ({ t, agent, otherAdmin, otherWorkspaceId } = await customersHarness());
  otherCustomerId = (await t.services.customers.create(otherWorkspaceId, customer({ name: '李娜', email: 'li.na@beta.example' }), SYSTEM)).id;
});
afterAll(async () => { await t?.close(); });

const api = (headers: Auth, method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });

function customer(fields: Partial<CustomerInput> & { name: string; email: string }): CustomerInput {
  return { locale: null, timeZone: null, companyId: null, address: null, tags: [], attributes: {}, identities: [], ...fields };
}

describe('merging duplicate customers', () => {
  it('suggests look-alikes, moves everything of the duplicate to the survivor in one go, and keeps an audit trail', async () => {
    const { customers, tickets } = t.services;
    const ws = t.workspace.id;
    await customers.defineAttribute(ws, { key: 'tier', labels: { en: 'Tier' }, type: 'text', choices: [] }, SYSTEM);
    await customers.defineAttribute(ws, { key: 'region', labels: { en: 'Region' }, type: 'text', choices: [] }, SYSTEM);
    const survivor = await customers.create(ws, customer({
      name: '李娜', email: 'li.na@example.cn', tags: ['vip'], attributes: { tier: 'gold' },
      identities: [{ kind: 'phone', value: '+86 139 0000 1234', primary: true, verified: false }],
    }), SYSTEM);
    const duplicate = await customers.create(ws, customer({
      name: 'Li Na', email: 'li.na+shop@example.cn', locale: 'zh-CN', timeZone: 'Asia/Shanghai', tags: ['printer'], attributes: { tier: 'silver', region: 'east' },
      identities: [{ kind: 'phone', value: '13900001234', primary: true, verified: false }, { kind: 'wechat_openid', value: 'o-li-na', primary: false, verified: false }],
    }), SYSTEM);
    const sameName = await customers.create(ws, customer({ name: '李娜', email: 'another.li@example.cn' }), SYSTEM);
    await customers.create(ws, customer({ name: 'Someone Else', email: 'else@example.cn' }), SYSTEM);

    const found = await api(agent, 'GET', `/customers/${survivor.id}/duplicates`);
    expect(found.statusCode, found.body).toBe(200);
    const { suggestions } = found.json();
    expect(suggestions.map((s: { customer: { id: string }; reasons: string[] }) => [s.customer.id, s.reasons])).toEqual(expect.arrayContaining([
      [duplicate.id, ['phone', 'email']], [sameName.id, ['name']],
    ]));
    expect(suggestions).toHaveLength(2);

    const ticket = await tickets.open(ws, { subject: '打印机卡纸', body: '第三页卡纸', channel: 'web', customer: { id: duplicate.id } }, { type: 'customer', id: duplicate.id });
    await customers.addNote(ws, duplicate.id, 'Prefers WeChat', SYSTEM);
    const product = await customers.createProduct(ws, { model: 'YM-720', names: { en: 'YM-720' }, category: '' });
    await customers.registerProduct(ws, duplicate.id, { productId: product.id, serial: 'SN-1', purchasedOn: null, warrantyUntil: null, boughtFrom: '' }, SYSTEM);
    const purpose = await customers.createPurpose(ws, { key: 'newsletter', names: { en: 'Newsletter' }, wordingVersion: 'v1' });
    await customers.setConsent(ws, duplicate.id, { purposeId: purpose.id, granted: true, channel: 'portal' }, { type: 'customer', id: duplicate.id });

    const merged = await api(agent, 'POST', `/customers/${survivor.id}/merge`, { duplicateId: duplicate.id, take: ['locale'] });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json()).toMatchObject({
      survivorId: survivor.id, mergedId: duplicate.id, mergedName: 'Li Na', mergedEmail: 'li.na+shop@example.cn', fieldsTaken: ['locale'],
      moved: { identities: 3, notes: 1, products: 1, consentChanges: 1, tickets: 1, chats: 0 },
    });

    expect(await customers.findCustomer(ws, duplicate.id)).toBeUndefined();
    const record = await customers.record(ws, survivor.id);
    expect(record.customer).toMatchObject({
      name: '李娜', email: 'li.na@example.cn', locale: 'zh-CN', time_zone: 'Asia/Shanghai', attributes: { tier: 'gold', region: 'east' },
    });
    expect([...record.customer.tags].sort()).toEqual(['printer', 'vip']);
    expect(record.identities.map((i) => [i.kind, i.value, i.is_primary])).toEqual(expect.arrayContaining([
      ['email', 'li.na@example.cn', true], ['email', 'li.na+shop@example.cn', false],
      ['phone', '+8613900001234', true], ['phone', '13900001234', false], ['wechat_openid', 'o-li-na', false],
    ]));
    expect(record.tickets.map((x) => x.id)).toEqual([ticket.id]);
    expect(record.products.map((p) => p.serial)).toEqual(['SN-1']);
    expect(record.notes.map((n) => n.body)).toEqual(['Prefers WeChat']);
    expect(record.consents.find((c) => c.purpose.id === purpose.id)?.granted).toBe(true);
    expect((await customers.findByIdentity(ws, 'wechat_openid', 'o-li-na'))?.id).toBe(survivor.id);

    const timeline = (await api(agent, 'GET', `/customers/${survivor.id}/timeline`)).json().entries;
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['merge', 'consent', 'product', 'note', 'ticket', 'created']));
    expect(timeline[0]).toMatchObject({ kind: 'merge', merge: { mergedName: 'Li Na' } });

    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'target_id']).where('action', '=', 'customer.merged').execute();
    expect(audit).toEqual([{ action: 'customer.merged', target_id: survivor.id }]);
    const history = (await api(agent, 'GET', `/customers/${survivor.id}/duplicates`)).json().merges;
    expect(history.map((m: { mergedEmail: string }) => m.mergedEmail)).toEqual(['li.na+shop@example.cn']);
  });

  it('refuses a merge with itself, across workspaces or of a customer that is gone, and changes nothing', async () => {
    const { customers } = t.services;
    const ws = t.workspace.id;
    const a = await customers.create(ws, customer({ name: 'A', email: 'a@example.cn' }), SYSTEM);
    expect((await api(agent, 'POST', `/customers/${a.id}/merge`, { duplicateId: a.id })).json().error.code).toBe('MERGE_SAME_CUSTOMER');
    const across = await api(agent, 'POST', `/customers/${a.id}/merge`, { duplicateId: otherCustomerId });
    expect(across.statusCode).toBe(404);
    expect(across.json().error.code).toBe('CUSTOMER_NOT_FOUND');
    expect((await api(otherAdmin, 'POST', `/customers/${otherCustomerId}/merge`, { duplicateId: a.id })).statusCode).toBe(404);
    expect((await api(otherAdmin, 'GET', `/customers/${a.id}/duplicates`)).statusCode).toBe(404);
    expect((await api(otherAdmin, 'GET', `/customers/${a.id}/timeline`)).statusCode).toBe(404);
    expect((await api(agent, 'POST', `/customers/${a.id}/merge`, { duplicateId: 'not-a-uuid' })).statusCode).toBe(400);
    expect((await api(agent, 'POST', `/customers/${a.id}/merge`, { duplicateId: otherCustomerId, take: ['email'] })).statusCode).toBe(400);
    expect(await customers.findCustomer(ws, a.id)).toBeDefined();
    expect(await customers.findCustomer((await t.database.db.selectFrom('customers').select('workspace_id').where('id', '=', otherCustomerId).executeTakeFirstOrThrow()).workspace_id, otherCustomerId)).toBeDefined();
    expect((await sql`select id from customer_merges where survivor_id = ${a.id}`.execute(t.database.db)).rows).toEqual([]);
  });
});
