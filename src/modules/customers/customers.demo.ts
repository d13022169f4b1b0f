import type { DemoWorld } from '../../core/module.js';
import type { Actor } from '../accounts/index.js';
import type { CustomerSegments } from './customers.segments.js';
import type { CustomersService } from './customers.service.js';

const SYSTEM: Actor = { type: 'system', id: null };
const DAY = 24 * 60 * 60 * 1000;

/** A day `daysAgo` before `today`, as YYYY-MM-DD; `years` later for warranty ends. */
const day = (today: Date, daysAgo: number, years = 0) => {
  const date = new Date(today.getTime() - daysAgo * DAY);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString().slice(0, 10);
};

const PRODUCTS = [
  { model: 'YM-720', category: 'laser', names: { en: 'Yunmo YM-720 Laser Printer', 'zh-CN': '云墨 YM-720 激光打印机' }, price: '2399.00' },
  { model: 'YM-350', category: 'inkjet', names: { en: 'Yunmo YM-350 Inkjet Printer', 'zh-CN': '云墨 YM-350 喷墨打印机' }, price: '899.00' },
  { model: 'YM-M900', category: 'multifunction', names: { en: 'Yunmo M900 Office Multifunction Printer', 'zh-CN': '云墨 M900 办公多功能一体机' }, price: '6880.00' },
  { model: 'YT-72', category: 'supplies', names: { en: 'YT-72 Toner Cartridge (for YM-720)', 'zh-CN': 'YT-72 碳粉盒（适用 YM-720）' }, price: '299.00' },
] as const;

const PURPOSES = [
  { key: 'newsletter', names: { en: 'Newsletter', 'zh-CN': '新闻通讯' }, wordingVersion: '2025-01' },
  { key: 'product_notices', names: { en: 'Notices about products I own', 'zh-CN': '我所拥有产品的通知' }, wordingVersion: '2025-01' },
  { key: 'surveys', names: { en: 'Satisfaction surveys', 'zh-CN': '满意度调查' }, wordingVersion: '2025-01' },
  { key: 'personalisation', names: { en: 'Personalised offers', 'zh-CN': '个性化推荐' }, wordingVersion: '2025-01' },
] as const;

/**
 * The printer maker's customers: two business customers and the people the demo already has,
 * owning printers (serials, warranties), two years of purchases, and their consents.
 */
export async function seedCustomersDemo(customers: CustomersService, segments: CustomerSegments, { workspaceId, agentIds }: DemoWorld, today = new Date()): Promise<void> {
  const agent: Actor = { type: 'agent', id: agentIds[0] };
  const products = new Map<string, string>();
  for (const { price: _, ...product } of PRODUCTS) products.set(product.model, (await customers.createProduct(workspaceId, product)).id);
  const price = (model: string) => PRODUCTS.find((p) => p.model === model)!.price;
  await customers.defineAttribute(workspaceId, { key: 'tier', labels: { en: 'Customer tier', 'zh-CN': '客户等级' }, type: 'choice', choices: ['standard', 'gold', 'platinum'] }, SYSTEM);
  await customers.defineAttribute(workspaceId, { key: 'pages_per_month', labels: { en: 'Pages printed per month', 'zh-CN': '月打印量（页）' }, type: 'number', choices: [] }, SYSTEM);
  const purposes = new Map<string, string>();
  for (const purpose of PURPOSES) purposes.set(purpose.key, (await customers.createPurpose(workspaceId, purpose)).id);

  const wenyin = await customers.createCompany(workspaceId, { name: '上海文印科技有限公司', domain: 'wenyin.example', notes: '华东区经销合作伙伴，30 台 M900 在用。' }, SYSTEM);
  const harbour = await customers.createCompany(workspaceId, { name: 'Harbour Office Supplies Ltd', domain: 'harbour-office.example', notes: 'Reseller in Hong Kong; orders toner quarterly.' }, SYSTEM);

  const zhao = await customers.create(workspaceId, {
    name: '赵敏', email: 'zhao.min@wenyin.example', locale: 'zh-CN', timeZone: 'Asia/Shanghai', companyId: wenyin.id,
    address: { line1: '浦东新区张江路 88 号', city: '上海', country: 'CN' }, tags: ['vip', 'b2b'], attributes: { tier: 'platinum', pages_per_month: 42000 },
    identities: [{ kind: 'phone', value: '+8613800138000', primary: true, verified: true }, { kind: 'wecom_external', value: 'wm-demo-zhao-min', primary: false, verified: true }],
  }, SYSTEM);
  const oliver = await customers.create(workspaceId, {
    name: 'Oliver Chan', email: 'oliver.chan@harbour-office.example', locale: 'en', timeZone: 'Asia/Hong_Kong', companyId: harbour.id,
    address: null, tags: ['b2b'], attributes: { tier: 'gold' },
    identities: [{ kind: 'phone', value: '+85291234567', primary: true, verified: false }],
  }, SYSTEM);
  const known = async (email: string) => (await customers.findByIdentity(workspaceId, 'email', email))!;
  const zhang = await known('zhang.wei@example.com');
  const li = await known('li.na@example.com');
  const sarah = await known('sarah.miller@example.com');
  await customers.update(workspaceId, zhang.id, { tags: ['home-office'], attributes: { tier: 'standard', pages_per_month: 300 }, timeZone: 'Asia/Shanghai' }, SYSTEM);
  await customers.addIdentity(workspaceId, zhang.id, { kind: 'wechat_openid', value: 'o-demo-zhang-wei', primary: false, verified: true }, SYSTEM);
  // The demo's portal customer: My account shows a verified address and a phone beside his printers and consents.
  await customers.confirmEmail(workspaceId, zhang.id, 'zhang.wei@example.com', false);
  await customers.addIdentity(workspaceId, zhang.id, { kind: 'phone', value: '+8613912340815', primary: true, verified: true }, SYSTEM);
  await customers.update(workspaceId, sarah.id, { tags: ['vip'], attributes: { tier: 'gold' }, timeZone: 'Europe/London' }, SYSTEM);

  // Who owns what, bought when (days ago): printers with a 1-year (inkjet) or 3-year (laser, office) warranty.
  const owned: { customer: string; model: string; serial: string; daysAgo: number; years: number; from: string }[] = [
    { customer: zhang.id, model: 'YM-720', serial: 'YM720-2401-00815', daysAgo: 420, years: 3, from: '京东自营' },
    { customer: zhang.id, model: 'YM-350', serial: 'YM350-2303-11207', daysAgo: 700, years: 1, from: '天猫旗舰店' },
    { customer: li.id, model: 'YM-350', serial: 'YM350-2410-20931', daysAgo: 60, years: 1, from: '天猫旗舰店' },
    { customer: sarah.id, model: 'YM-720', serial: 'YM720-2312-00077', daysAgo: 380, years: 3, from: 'Yunmo online store' },
    { customer: zhao.id, model: 'YM-M900', serial: 'M900-2306-00311', daysAgo: 540, years: 3, from: '上海文印科技（经销）' },
    { customer: zhao.id, model: 'YM-M900', serial: 'M900-2306-00312', daysAgo: 540, years: 3, from: '上海文印科技（经销）' },
    { customer: oliver.id, model: 'YM-720', serial: 'YM720-2402-01590', daysAgo: 300, years: 3, from: 'Harbour Office Supplies' },
  ];
  for (const o of owned) {
    await customers.registerProduct(workspaceId, o.customer, {
      productId: products.get(o.model)!, serial: o.serial, purchasedOn: day(today, o.daysAgo), warrantyUntil: day(today, o.daysAgo, o.years), boughtFrom: o.from,
    }, SYSTEM);
  }

  // Purchases over two years, toner refills included.
  const orders: { customer: string; daysAgo: number; currency: string; lines: [string, number][] }[] = [
    { customer: zhang.id, daysAgo: 700, currency: 'CNY', lines: [['YM-350', 1]] },
    { customer: zhang.id, daysAgo: 420, currency: 'CNY', lines: [['YM-720', 1], ['YT-72', 1]] },
    { customer: zhang.id, daysAgo: 90, currency: 'CNY', lines: [['YT-72', 2]] },
    { customer: li.id, daysAgo: 60, currency: 'CNY', lines: [['YM-350', 1]] },
    { customer: sarah.id, daysAgo: 380, currency: 'GBP', lines: [['YM-720', 1]] },
    { customer: zhao.id, daysAgo: 540, currency: 'CNY', lines: [['YM-M900', 2]] },
    { customer: zhao.id, daysAgo: 200, currency: 'CNY', lines: [['YT-72', 10]] },
    { customer: oliver.id, daysAgo: 300, currency: 'HKD', lines: [['YM-720', 1], ['YT-72', 4]] },
    { customer: oliver.id, daysAgo: 30, currency: 'HKD', lines: [['YT-72', 6]] },
  ];
  for (const [i, o] of orders.entries()) {
    await customers.addOrder(workspaceId, o.customer, {
      reference: `YM-DEMO-${String(i + 1).padStart(4, '0')}`, orderedAt: new Date(today.getTime() - o.daysAgo * DAY), currency: o.currency,
      lines: o.lines.map(([model, quantity]) => ({
        productId: products.get(model)!, description: PRODUCTS.find((p) => p.model === model)!.names.en, quantity,
        amount: (Number(price(model)) * quantity).toFixed(2),
      })),
    }, SYSTEM);
  }

  // Consents, one of them withdrawn later: the log shows both changes.
  const consents: [string, string, boolean, 'portal' | 'phone' | 'email'][] = [
    [zhang.id, 'newsletter', true, 'portal'], [zhang.id, 'product_notices', true, 'portal'], [zhang.id, 'newsletter', false, 'email'],
    [li.id, 'product_notices', true, 'portal'], [li.id, 'surveys', true, 'portal'],
    [sarah.id, 'newsletter', true, 'portal'], [sarah.id, 'personalisation', true, 'portal'],
    [zhao.id, 'product_notices', true, 'phone'], [oliver.id, 'product_notices', true, 'phone'],
  ];
  for (const [customer, purpose, granted, channel] of consents) {
    const changer = channel === 'phone' ? agent : { type: 'customer' as const, id: customer };
    await customers.setConsent(workspaceId, customer, { purposeId: purposes.get(purpose)!, granted, channel }, changer);
  }
  await customers.addNote(workspaceId, zhao.id, '续约洽谈中：希望 2027 年把 M900 升级到新型号，联系前请先找林静。', agent);

  // A duplicate to merge: 赵敏 called from her personal mailbox, the same mobile written without +86.
  await customers.create(workspaceId, {
    name: '赵敏', email: 'zhaomin.home@example.cn', locale: 'zh-CN', timeZone: null, companyId: null, address: null, tags: ['home-office'], attributes: {},
    identities: [{ kind: 'phone', value: '138 0013 8000', primary: true, verified: false }],
  }, SYSTEM);

  // A customer known only by phone (a call-centre contact): no e-mail, found by their number.
  await customers.create(workspaceId, {
    name: '孙建国', email: null, locale: 'zh-CN', timeZone: 'Asia/Shanghai', companyId: wenyin.id, address: null, tags: ['phone-only'], attributes: {},
    identities: [{ kind: 'phone', value: '+86 139 1234 5678', primary: true, verified: true }],
  }, SYSTEM);

  // Saved segments over the customers above (the list shows their live counts).
  for (const segment of SEGMENTS) await segments.create(workspaceId, segment, SYSTEM);
}

const SEGMENTS = [
  {
    name: 'YM-720 用户 · 近 12 个月有购买', description: 'Owners of a YM-720 who ordered in the last 12 months (toner notices)',
    rule: { match: 'all', conditions: [{ field: 'product', op: 'owns', model: 'YM-720' }, { field: 'orders', measure: 'count', op: 'gte', value: 1, withinDays: 365 }] },
  },
  { name: 'VIP 客户', description: 'Tagged vip', rule: { match: 'all', conditions: [{ field: 'tag', op: 'has', value: 'vip' }] } },
  {
    name: '180 天未联系 · No contact for 180 days', description: 'No ticket or chat in the last 180 days',
    rule: { match: 'all', conditions: [{ field: 'lastContact', op: 'not_within_days', days: 180 }] },
  },
  {
    name: 'Gold & platinum tier', description: '',
    rule: { match: 'all', conditions: [{ field: 'attribute', key: 'tier', op: 'in', value: ['gold', 'platinum'] }] },
  },
  {
    name: '产品通知 · Warranty notices', description: 'Agreed to product notices and own a printer under warranty',
    rule: { match: 'all', conditions: [{ field: 'consent', purpose: 'product_notices', op: 'granted' }, { field: 'product', op: 'owns', warrantyActive: true }] },
  },
];
