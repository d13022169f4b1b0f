import { describe, expect, it } from 'vitest';
import { SYSTEM, useCustomersHarness } from './customers.harness.js';

const { h, api } = useCustomersHarness();


describe('customers REST API', () => {
  it('lets agents keep the record and admins shape it; nobody signed out', async () => {
    expect((await api(undefined, 'GET', '/customers')).statusCode).toBe(401);
    expect((await api(h.agent, 'POST', '/products', { model: 'YM-1', names: { en: 'One' } })).json().error.code).toBe('FORBIDDEN');
    expect((await api(h.agent, 'POST', '/customer-attributes', { key: 'tier', labels: { en: 'Tier' }, type: 'choice', choices: ['gold'] })).statusCode).toBe(403);
    expect((await api(h.admin, 'POST', '/customer-attributes', { key: 'tier', labels: { en: 'Tier' }, type: 'choice', choices: ['gold'] })).statusCode).toBe(201);
    expect((await api(h.admin, 'POST', '/customer-attributes', { key: 'size', labels: { en: 'Size' }, type: 'number', choices: ['1'] })).statusCode).toBe(400);

    const created = await api(h.agent, 'POST', '/customers', {
      name: '王小明', email: 'Wang.XM@example.com', tags: ['VIP'], attributes: { tier: 'gold' },
      identities: [{ kind: 'phone', value: '+86 139 0000 0000', primary: true }, { kind: 'wecom_external', value: 'wm-123' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const customer = created.json();
    expect(customer).toMatchObject({ name: '王小明', email: 'wang.xm@example.com', tags: ['vip'], attributes: { tier: 'gold' } });

    const resolved = await api(h.agent, 'GET', '/customer-identities/resolve?kind=wecom_external&value=wm-123');
    expect(resolved.json().id).toBe(customer.id);
    expect((await api(h.agent, 'GET', '/customer-identities/resolve?kind=phone&value=123456789')).json().error.code).toBe('CUSTOMER_NOT_FOUND');

    const patched = await api(h.agent, 'PATCH', `/customers/${customer.id}`, { timeZone: 'Asia/Shanghai', address: { city: '上海', country: 'CN' } });
    expect(patched.json()).toMatchObject({ timeZone: 'Asia/Shanghai', address: { city: '上海', country: 'CN' } });
    expect((await api(h.agent, 'PATCH', `/customers/${customer.id}`, { timeZone: 'Mars/Olympus' })).statusCode).toBe(400);
    expect((await api(h.agent, 'PATCH', `/customers/${customer.id}`, { attributes: { tier: 7 } })).json().error.code).toBe('ATTRIBUTE_INVALID');

    const search = await api(h.agent, 'GET', `/customers?q=${encodeURIComponent('小明')}`);
    expect(search.json().customers.map((c: { id: string }) => c.id)).toEqual([customer.id]);
  });

  it('refuses a duplicate identity with 409 and unknown fields with 400, creating nothing', async () => {
    const first = await api(h.agent, 'POST', '/customers', { name: 'Dup One', email: 'dup1@example.com', identities: [{ kind: 'wechat_openid', value: 'o-dup' }] });
    expect(first.statusCode).toBe(201);
    const second = await api(h.agent, 'POST', '/customers', { name: 'Dup Two', email: 'dup2@example.com', identities: [{ kind: 'wechat_openid', value: 'o-dup' }] });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toMatchObject({ code: 'IDENTITY_TAKEN', details: { kind: 'wechat_openid', value: 'o-dup' } });
    const sameEmail = await api(h.agent, 'POST', '/customers', { name: 'Dup Three', email: 'DUP1@example.com' });
    expect(sameEmail.json().error.code).toBe('IDENTITY_TAKEN');
    expect((await api(h.agent, 'POST', `/customers/${first.json().id}/identities`, { kind: 'email', value: 'dup1@example.com' })).statusCode).toBe(409);
    expect((await api(h.agent, 'POST', '/customers', { name: 'Extra', email: 'extra@example.com', password: 'x' })).statusCode).toBe(400);
    expect((await api(h.agent, 'GET', '/customers?q=dup')).json().customers.map((c: { name: string }) => c.name)).toEqual(['Dup One']);
  });

  it('shows the 360° record with products, orders, consents and recent tickets', async () => {
    const c = (await api(h.agent, 'POST', '/customers', { name: 'Sarah Miller', email: 'sarah@example.com' })).json();
    const product = (await api(h.admin, 'POST', '/products', { model: 'YM-720', names: { en: 'YM-720 Laser', 'zh-CN': 'YM-720 激光打印机' }, category: 'laser' })).json();
    expect((await api(h.agent, 'POST', `/customers/${c.id}/products`, { productId: product.id, serial: 'SN-9', purchasedOn: '2025-05-01', warrantyUntil: '2025-04-01' })).statusCode).toBe(400);
    expect((await api(h.agent, 'POST', `/customers/${c.id}/products`, { productId: product.id, serial: 'SN-9', purchasedOn: '2025-05-01', warrantyUntil: '2028-05-01' })).statusCode).toBe(201);
    expect((await api(h.agent, 'POST', `/customers/${c.id}/orders`, { orderedAt: '2025-05-01T10:00:00Z', currency: 'GBP', lines: [{ description: 'x', quantity: 1, amount: '1.00' }] })).statusCode).toBe(403);
    expect((await api(h.admin, 'POST', `/customers/${c.id}/orders`, { orderedAt: '2025-05-01T10:00:00Z', currency: 'GBP', lines: [{ productId: product.id, description: 'YM-720', quantity: 1, amount: '1.555' }] })).statusCode).toBe(400);
    const [registered] = (await api(h.agent, 'GET', `/customers/${c.id}/record`)).json().products;
    const fix = (body: unknown) => api(h.agent, 'PATCH', `/customers/${c.id}/products/${registered.id}`, body);
    expect((await fix({ warrantyUntil: '2025-04-30' })).json().error.code).toBe('WARRANTY_BEFORE_PURCHASE');
    expect((await fix({ purchasedOn: '2025-02-30' })).statusCode).toBe(400);
    expect((await fix({ productId: product.id })).statusCode).toBe(400);
    expect((await api(h.agent, 'PATCH', `/customers/${c.id}/products/${c.id}`, { serial: 'SN-X' })).json().error.code).toBe('REGISTRATION_NOT_FOUND');
    expect((await fix({ serial: 'SN-10', boughtFrom: 'Dixons', purchasedOn: null })).json()).toMatchObject({ id: registered.id, serial: 'SN-10', purchasedOn: null, warrantyUntil: '2028-05-01', boughtFrom: 'Dixons' });
    expect((await fix({ serial: 'SN-9', purchasedOn: '2025-05-01' })).json()).toMatchObject({ serial: 'SN-9', purchasedOn: '2025-05-01', boughtFrom: 'Dixons' });
    const order = await api(h.admin, 'POST', `/customers/${c.id}/orders`, { orderedAt: '2025-05-01T10:00:00Z', currency: 'GBP', lines: [{ productId: product.id, description: 'YM-720', quantity: 2, amount: '398.00' }] });
    expect(order.json()).toMatchObject({ amount: '398.00', currency: 'GBP' });
    const purpose = (await api(h.admin, 'POST', '/consent-purposes', { key: 'product_notices', names: { en: 'Product notices', 'zh-CN': '产品通知' }, wordingVersion: '2026-01' })).json();
    const consent = await api(h.agent, 'POST', `/customers/${c.id}/consents`, { purposeId: purpose.id, granted: true, channel: 'phone' });
    expect(consent.json()).toMatchObject({ granted: true, wordingVersion: '2026-01', purpose: { key: 'product_notices' } });
    await h.t.services.tickets.open(h.t.workspace.id, { subject: 'Paper jam', body: 'It jams', channel: 'web', customer: { id: c.id } }, SYSTEM);
    await api(h.agent, 'POST', `/customers/${c.id}/notes`, { body: 'Prefers e-mail' });

    const record = (await api(h.agent, 'GET', `/customers/${c.id}/record`)).json();
    expect(record.customer.id).toBe(c.id);
    expect(record.identities.map((i: { kind: string; value: string; primary: boolean }) => [i.kind, i.value, i.primary])).toEqual([['email', 'sarah@example.com', true]]);
    expect(record.products).toMatchObject([{ model: 'YM-720', serial: 'SN-9', purchasedOn: '2025-05-01', warrantyUntil: '2028-05-01', names: { 'zh-CN': 'YM-720 激光打印机' } }]);
    expect(record.orders).toMatchObject([{ amount: '398.00', lines: [{ quantity: 2, productId: product.id }] }]);
    expect(record.consents).toMatchObject([{ granted: true, purpose: { id: purpose.id } }]);
    expect(record.tickets.map((x: { subject: string }) => x.subject)).toEqual(['Paper jam']);
    expect(record.notes.map((n: { body: string }) => n.body)).toEqual(['Prefers e-mail']);
    const log = (await api(h.agent, 'GET', `/customers/${c.id}/consents`)).json().log;
    expect(log).toMatchObject([{ purposeId: purpose.id, granted: true, channel: 'phone', changedBy: { type: 'api' } }]);

    // Another workspace's admin sees none of it, by any of these ids.
    expect((await api(h.otherAdmin, 'GET', `/customers/${c.id}/record`)).statusCode).toBe(404);
    expect((await api(h.otherAdmin, 'PATCH', `/products/${product.id}`, { category: 'stolen' })).statusCode).toBe(404);
    expect((await api(h.otherAdmin, 'GET', '/customers?q=Sarah')).json().customers).toEqual([]);
    expect((await api(h.otherAdmin, 'POST', `/customers/${c.id}/consents`, { purposeId: purpose.id, granted: false, channel: 'api' })).statusCode).toBe(404);
  });

  it('keeps a customer known only by phone: created without an e-mail, listed, found by the phone, their record and timeline shown', async () => {
    expect((await api(h.agent, 'POST', '/customers', { name: 'Nobody' })).json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'body.email' })] });
    expect((await api(h.agent, 'POST', '/customers', { name: 'Chat only', identities: [{ kind: 'wechat_openid', value: 'o-phoneless' }] })).statusCode).toBe(400);
    expect((await api(h.agent, 'POST', '/customers', { name: 'Bad phone', identities: [{ kind: 'phone', value: 'call me' }] })).json().error.code).toBe('IDENTITY_INVALID');

    const created = await api(h.agent, 'POST', '/customers', { name: '孙电话', identities: [{ kind: 'phone', value: '+86 138 0013 8000', primary: true }] });
    expect(created.statusCode, created.body).toBe(201);
    const customer = created.json();
    expect(customer).toMatchObject({ name: '孙电话', email: 'phone-8613800138000@phone.invalid' });
    const again = await api(h.agent, 'POST', '/customers', { name: '孙电话 2', identities: [{ kind: 'phone', value: '+8613800138000' }] });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'IDENTITY_TAKEN', details: { kind: 'phone', value: '+8613800138000' } });

    const found = async (q: string) => (await api(h.agent, 'GET', `/customers?q=${encodeURIComponent(q)}`)).json().customers.map((c: { id: string }) => c.id);
    expect(await found('138 0013')).toEqual([customer.id]);
    expect(await found('+86 138-0013-8000')).toEqual([customer.id]);
    expect(await found('孙电话')).toEqual([customer.id]);
    expect((await api(h.agent, 'GET', '/customers?limit=100')).json().customers.map((c: { id: string }) => c.id)).toContain(customer.id);
    expect((await api(h.agent, 'GET', `/customer-identities/resolve?kind=phone&value=${encodeURIComponent('+86 138 0013 8000')}`)).json().id).toBe(customer.id);

    await h.t.services.tickets.open(h.t.workspace.id, { subject: '电话来电', body: '打印机不工作', channel: 'phone', customer: { id: customer.id } }, SYSTEM);
    const record = (await api(h.agent, 'GET', `/customers/${customer.id}/record`)).json();
    expect(record.identities.filter((i: { kind: string }) => i.kind === 'phone').map((i: { value: string; primary: boolean }) => [i.value, i.primary])).toEqual([['+8613800138000', true]]);
    expect(record.tickets.map((x: { subject: string }) => x.subject)).toEqual(['电话来电']);
    const timeline = (await api(h.agent, 'GET', `/customers/${customer.id}/timeline`)).json().entries.map((e: { kind: string }) => e.kind);
    expect(timeline).toEqual(['ticket', 'created']);
    expect((await api(h.agent, 'PATCH', `/customers/${customer.id}`, { name: '孙先生' })).json().name).toBe('孙先生');
  });
});
