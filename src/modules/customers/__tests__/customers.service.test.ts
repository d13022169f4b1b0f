import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import type { DomainEvent } from '../../../core/events/index.js';
import type { CustomersService } from '../customers.service.js';
import type { CustomerInput } from '../customers.validate.js';

let t: TestApp;
let customers: CustomersService;
let ws: string;
const SYSTEM = { type: 'system' as const, id: null };
const events: DomainEvent[] = [];

/** A customer input with the schema's defaults, as the routes hand it over after parsing. */
const input = (overrides: Partial<CustomerInput> & Pick<CustomerInput, 'name' | 'email'>): CustomerInput => ({
  locale: null, timeZone: null, companyId: null, address: null, tags: [], attributes: {}, identities: [], ...overrides,
});

beforeAll(async () => {
  t = await createTestApp();
  customers = t.services.customers;
  ws = t.workspace.id;
  for (const type of ['customer.created', 'customer.updated', 'consent.changed'] as const) t.bus.subscribe(type, (e) => { events.push(e); });
  await customers.defineAttribute(ws, { key: 'tier', labels: { en: 'Tier', 'zh-CN': '等级' }, type: 'choice', choices: ['standard', 'gold'] }, SYSTEM);
  await customers.defineAttribute(ws, { key: 'pages', labels: { en: 'Pages a month' }, type: 'number', choices: [] }, SYSTEM);
  await customers.defineAttribute(ws, { key: 'since', labels: { en: 'Customer since' }, type: 'date', choices: [] }, SYSTEM);
});
afterAll(async () => { await t.close(); });

describe('the customer record', () => {
  it('creates a customer whose identities all resolve to them, and publishes customer.created', async () => {
    const created = await customers.create(ws, input({
      name: '欧阳娜娜', email: 'ouyang@example.com', tags: ['vip'], attributes: { tier: 'gold', pages: 1200, since: '2024-02-29' },
      identities: [
        { kind: 'phone', value: '+86 138-0013-8000', primary: true, verified: true },
        { kind: 'email', value: 'Nana.Work@Example.com', primary: false, verified: false },
        { kind: 'wechat_openid', value: 'o-openid-1', primary: false, verified: true },
      ],
    }), SYSTEM);
    expect(created).toMatchObject({ name: '欧阳娜娜', email: 'ouyang@example.com', tags: ['vip'], attributes: { tier: 'gold', pages: 1200, since: '2024-02-29' } });
    for (const [kind, value] of [['email', 'OUYANG@example.com'], ['email', 'nana.work@example.com'], ['phone', '+8613800138000'], ['wechat_openid', 'o-openid-1']] as const) {
      expect((await customers.findByIdentity(ws, kind, value))?.id, `${kind} ${value}`).toBe(created.id);
    }
    expect(await customers.findByIdentity(ws, 'wechat_openid', 'o-unknown')).toBeUndefined();
    const identities = await customers.identities(ws, created.id);
    expect(identities.filter((i) => i.is_primary).map((i) => [i.kind, i.value]).sort()).toEqual([['email', 'ouyang@example.com'], ['phone', '+8613800138000']]);
    await t.jobs.drain();
    expect(events.find((e) => e.type === 'customer.created' && (e.payload as { customerId: string }).customerId === created.id)).toBeDefined();
  });

  it('refuses an identity another customer has with 409 and writes nothing of the new customer', async () => {
    await customers.create(ws, input({ name: 'First', email: 'first@example.com', identities: [{ kind: 'phone', value: '+441234567890', primary: true, verified: false }] }), SYSTEM);
    // Every event so far delivered (the outbox hands them over after commit), so a count taken now is complete.
    await t.jobs.drain();
    const published = events.length;
    await expect(customers.create(ws, input({
      name: 'Second', email: 'second@example.com', identities: [{ kind: 'wechat_unionid', value: 'u-second', primary: false, verified: false }, { kind: 'phone', value: '+44 1234 567890', primary: true, verified: false }],
    }), SYSTEM)).rejects.toMatchObject({ code: 'IDENTITY_TAKEN', status: 409 });
    await t.jobs.drain();
    expect(await customers.findByIdentity(ws, 'email', 'second@example.com')).toBeUndefined();
    expect(await customers.findByIdentity(ws, 'wechat_unionid', 'u-second')).toBeUndefined();
    expect((await customers.list(ws, { q: 'second@' })).customers).toEqual([]);
    expect(events.length, 'no event of the refused customer').toBe(published);
  });

  it('treats a customer made by accounts (portal sign-up) as holding their e-mail', async () => {
    const portal = await t.services.accounts.registerCustomer(ws, { email: 'portal.user@example.com', name: 'Portal User', password: 'portal-password-1', locale: 'en' });
    expect((await customers.findByIdentity(ws, 'email', 'portal.user@example.com'))?.id).toBe(portal.id);
    await expect(customers.create(ws, input({ name: 'Copy', email: 'portal.user@example.com' }), SYSTEM)).rejects.toMatchObject({ code: 'IDENTITY_TAKEN' });
    const other = await customers.create(ws, input({ name: 'Other', email: 'other@example.com' }), SYSTEM);
    await expect(customers.addIdentity(ws, other.id, { kind: 'email', value: 'portal.user@example.com', primary: false, verified: false }, SYSTEM))
      .rejects.toMatchObject({ code: 'IDENTITY_TAKEN' });
  });

  it('makes a new primary e-mail the sign-in address and keeps the primary e-mail from being removed', async () => {
    const c = await customers.create(ws, input({ name: 'Mover', email: 'old@example.com' }), SYSTEM);
    await customers.addIdentity(ws, c.id, { kind: 'email', value: 'new@example.com', primary: true, verified: true }, SYSTEM);
    expect((await customers.customer(ws, c.id)).email).toBe('new@example.com');
    const identities = await customers.identities(ws, c.id);
    expect(identities.filter((i) => i.kind === 'email').map((i) => [i.value, i.is_primary])).toEqual([['new@example.com', true], ['old@example.com', false]]);
    const primary = identities.find((i) => i.value === 'new@example.com')!;
    await expect(customers.removeIdentity(ws, c.id, primary.id, SYSTEM)).rejects.toMatchObject({ code: 'IDENTITY_PRIMARY_EMAIL' });
    expect(await customers.identities(ws, c.id)).toHaveLength(2);
    await customers.removeIdentity(ws, c.id, identities.find((i) => i.value === 'old@example.com')!.id, SYSTEM);
    expect(await customers.findByIdentity(ws, 'email', 'old@example.com')).toBeUndefined();
  });

  it('checks attribute values against their definitions and changes nothing when one is wrong', async () => {
    const c = await customers.create(ws, input({ name: 'Typed', email: 'typed@example.com', attributes: { pages: 10 } }), SYSTEM);
    const wrong: [Record<string, string | number>, string][] = [
      [{ pages: 'many' }, 'ATTRIBUTE_INVALID'], [{ tier: 'platinum' }, 'ATTRIBUTE_INVALID'], [{ since: '2026-02-30' }, 'ATTRIBUTE_INVALID'],
      [{ since: 20260101 }, 'ATTRIBUTE_INVALID'], [{ shoe_size: 42 }, 'ATTRIBUTE_UNKNOWN'],
    ];
    for (const [attributes, code] of wrong) {
      await expect(customers.update(ws, c.id, { name: 'Changed', attributes: { tier: 'gold', ...attributes } }, SYSTEM), JSON.stringify(attributes)).rejects.toMatchObject({ code, status: 400 });
    }
    expect(await customers.customer(ws, c.id)).toMatchObject({ name: 'Typed', attributes: { pages: 10 } });
    await expect(customers.create(ws, input({ name: 'Bad', email: 'bad-attr@example.com', attributes: { pages: '12' } }), SYSTEM)).rejects.toMatchObject({ code: 'ATTRIBUTE_INVALID' });
    expect(await customers.findByIdentity(ws, 'email', 'bad-attr@example.com')).toBeUndefined();

    const updated = await customers.update(ws, c.id, { attributes: { tier: 'gold', pages: null } }, SYSTEM);
    expect(updated.attributes).toEqual({ tier: 'gold' });
    await t.jobs.drain();
    expect(events.some((e) => e.type === 'customer.updated' && (e.payload as { customerId: string }).customerId === c.id)).toBe(true);
  });

  it('refuses a company of another workspace', async () => {
    const beta = await t.addWorkspace('beta-record');
    const theirs = await customers.createCompany(beta.id, { name: 'Beta Co', domain: null, notes: '' }, SYSTEM);
    await expect(customers.create(ws, input({ name: 'X', email: 'x-company@example.com', companyId: theirs.id }), SYSTEM)).rejects.toMatchObject({ code: 'REFERENCE_NOT_FOUND', status: 422 });
    const ours = await customers.createCompany(ws, { name: '上海文印', domain: null, notes: '' }, SYSTEM);
    const member = await customers.create(ws, input({ name: 'Member', email: 'member@example.com', companyId: ours.id }), SYSTEM);
    expect((await customers.company(ws, ours.id)).members.map((m) => m.id)).toEqual([member.id]);
    await expect(customers.company(beta.id, ours.id)).rejects.toMatchObject({ code: 'COMPANY_NOT_FOUND' });
  });
});

describe('search and pages', () => {
  it('finds Chinese names by part of the name, and customers by phone', async () => {
    const found = await customers.list(ws, { q: '阳娜' });
    expect(found.customers.map((c) => c.name)).toEqual(['欧阳娜娜']);
    expect((await customers.list(ws, { q: '13800138000' })).customers.map((c) => c.name)).toEqual(['欧阳娜娜']);
    expect((await customers.list(ws, { q: '%' })).customers).toEqual([]);
  });

  it('finds a customer by what people type: a Chinese character, the start of a phone with or without its country code, the start of an identity', async () => {
    const names = async (q: string) => (await customers.list(ws, { q })).customers.map((c) => c.name);
    expect(await names('娜')).toEqual(['欧阳娜娜']);
    expect(await names('阳娜娜')).toEqual(['欧阳娜娜']);
    expect(await names('阳欧')).toEqual([]);
    for (const q of ['138 0013', '+86 138-0013', '8000']) expect(await names(q), q).toEqual(q === '8000' ? [] : ['欧阳娜娜']);
    expect(await names('+44 138')).toEqual([]);
    expect(await names('NANA.WORK@')).toEqual(['欧阳娜娜']);
    expect(await names('o-openid')).toEqual(['欧阳娜娜']);
    expect(await names('openid')).toEqual([]);
  });

  it('pages through every customer once, newest first', async () => {
    const all = (await customers.list(ws, { limit: 100 })).customers.map((c) => c.id);
    expect(all.length).toBeGreaterThan(5);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await customers.list(ws, { limit: 2, cursor });
      seen.push(...page.customers.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all);
    await expect(customers.list(ws, { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'CURSOR_INVALID', status: 400 });
  });
});

describe('products, orders and consent', () => {
  it('registers products once per serial and sums an order from its lines', async () => {
    const c = await customers.create(ws, input({ name: 'Owner', email: 'owner@example.com' }), SYSTEM);
    const printer = await customers.createProduct(ws, { model: 'YM-720', names: { en: 'YM-720 Laser', 'zh-CN': 'YM-720 激光打印机' }, category: 'laser' });
    await expect(customers.createProduct(ws, { model: 'YM-720', names: { en: 'again' }, category: '' })).rejects.toMatchObject({ code: 'PRODUCT_TAKEN' });
    const registration = await customers.registerProduct(ws, c.id, { productId: printer.id, serial: 'SN-1', purchasedOn: '2025-03-01', warrantyUntil: '2028-03-01', boughtFrom: 'JD' }, SYSTEM);
    expect(registration).toMatchObject({ serial: 'SN-1', purchased_on: '2025-03-01', warranty_until: '2028-03-01' });
    await expect(customers.registerProduct(ws, c.id, { productId: printer.id, serial: 'SN-1', purchasedOn: null, warrantyUntil: null, boughtFrom: '' }, SYSTEM))
      .rejects.toMatchObject({ code: 'SERIAL_TAKEN', status: 409 });

    const order = await customers.addOrder(ws, c.id, {
      reference: 'R-1', orderedAt: new Date('2025-03-01T08:00:00Z'), currency: 'CNY',
      lines: [{ productId: printer.id, description: 'printer', quantity: 1, amount: '2399.90' }, { productId: null, description: 'delivery', quantity: 1, amount: '0.15' }],
    }, SYSTEM);
    expect(order.amount).toBe('2400.05');
    expect(order.lines).toHaveLength(2);
    const beta = await t.addWorkspace('beta-orders');
    const foreign = await customers.createProduct(beta.id, { model: 'B-1', names: { en: 'Beta' }, category: '' });
    await expect(customers.addOrder(ws, c.id, { reference: 'R-2', orderedAt: new Date(), currency: 'CNY', lines: [{ productId: foreign.id, description: 'x', quantity: 1, amount: '1' }] }, SYSTEM))
      .rejects.toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
    await expect(customers.addOrder(ws, c.id, { reference: 'R-1', orderedAt: new Date(), currency: 'CNY', lines: [{ productId: null, description: 'x', quantity: 1, amount: '1' }] }, SYSTEM))
      .rejects.toMatchObject({ code: 'ORDER_REFERENCE_TAKEN' });
    expect((await customers.orders(ws, c.id)).map((o) => o.reference)).toEqual(['R-1']);

    const record = await customers.record(ws, c.id);
    expect(record.products.map((p) => [p.model, p.serial])).toEqual([['YM-720', 'SN-1']]);
    expect(record.orders.map((o) => o.amount)).toEqual(['2400.05']);
  });

  it('logs every grant and withdrawal and derives the current consent from the log', async () => {
    const c = await customers.create(ws, input({ name: 'Consenting', email: 'consent@example.com' }), SYSTEM);
    const newsletter = await customers.createPurpose(ws, { key: 'newsletter', names: { en: 'Newsletter', 'zh-CN': '新闻通讯' }, wordingVersion: 'v1' });
    await customers.createPurpose(ws, { key: 'surveys', names: { en: 'Surveys' }, wordingVersion: 'v1' });
    await t.jobs.drain();
    const before = events.filter((e) => e.type === 'consent.changed').length;
    const customer = { type: 'customer' as const, id: c.id };

    t.clock.set('2026-01-01T00:00:00Z');
    await customers.setConsent(ws, c.id, { purposeId: newsletter.id, granted: true, channel: 'portal' }, customer);
    await customers.setConsent(ws, c.id, { purposeId: newsletter.id, granted: true, channel: 'portal' }, customer); // no change, not logged
    await customers.updatePurpose(ws, newsletter.id, { wordingVersion: 'v2' });
    t.clock.set('2026-02-01T00:00:00Z');
    await customers.setConsent(ws, c.id, { purposeId: newsletter.id, granted: true, channel: 'email' }, customer); // agreed to the new wording
    t.clock.set('2026-03-01T00:00:00Z');
    await customers.setConsent(ws, c.id, { purposeId: newsletter.id, granted: false, channel: 'phone' }, { type: 'agent', id: t.workspace.admin.id });

    const log = await customers.consentLog(ws, c.id);
    expect(log.map((l) => [l.granted, l.channel, l.wording_version, l.changed_by_type, l.changed_at.toISOString()])).toEqual([
      [false, 'phone', 'v2', 'agent', '2026-03-01T00:00:00.000Z'],
      [true, 'email', 'v2', 'customer', '2026-02-01T00:00:00.000Z'],
      [true, 'portal', 'v1', 'customer', '2026-01-01T00:00:00.000Z'],
    ]);
    const state = await customers.consents(ws, c.id);
    expect(state.map((s) => [s.purpose.key, s.granted])).toEqual([['newsletter', false], ['surveys', false]]);
    // Published for the grant and the withdrawal; re-agreeing to new wording changes no state.
    await t.jobs.drain();
    expect(events.filter((e) => e.type === 'consent.changed').slice(before).map((e) => (e.payload as { granted: boolean }).granted)).toEqual([true, false]);
  });
});
