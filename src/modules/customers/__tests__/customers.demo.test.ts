import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { createDemoApp } from '../../../../test/helpers/demo.js';

let t: TestApp;
let workspaceId: string;
beforeAll(async () => { ({ t, workspaceId } = await createDemoApp()); });
afterAll(async () => { await t?.close(); });

describe('the demo workspace', () => {
  it('has companies, customers owning printers under warranty, two years of orders and consents', async () => {
    const { customers } = t.services;
    const zhang = (await customers.findByIdentity(workspaceId, 'email', 'zhang.wei@example.com'))!;
    const record = await customers.record(workspaceId, zhang.id);
    expect(record.products.map((p) => p.names['zh-CN'])).toContain('云墨 YM-720 激光打印机');
    expect(record.products.every((p) => p.serial && p.warranty_until !== null)).toBe(true);
    const orderDays = record.orders.map((o) => o.ordered_at.getTime());
    expect((Math.max(...orderDays) - Math.min(...orderDays)) / 86_400_000).toBeGreaterThan(365);
    expect(record.consents.find((c) => c.purpose.key === 'newsletter')).toMatchObject({ granted: false });
    expect((await customers.consentLog(workspaceId, zhang.id)).length).toBe(3);
    // The demo's portal customer sees a verified address and a phone in My account.
    expect(record.identities.filter((i) => i.kind === 'email' || i.kind === 'phone').map((i) => [i.kind, i.value, i.verified_at !== null]))
      .toEqual([['email', 'zhang.wei@example.com', true], ['phone', '+8613912340815', true]]);

    const companies = await customers.companies(workspaceId);
    expect(companies.map((c) => c.name)).toEqual(expect.arrayContaining(['上海文印科技有限公司', 'Harbour Office Supplies Ltd']));
    const wenyin = await customers.company(workspaceId, companies.find((c) => c.name.startsWith('上海'))!.id);
    expect(wenyin.members.map((m) => m.name)).toEqual(['孙建国', '赵敏']);
    // Two records of 赵敏: the demo's duplicate to merge, suggested by her name and her mobile number.
    // A customer known only by phone, a member of a company like the others.
    const [sun] = (await customers.list(workspaceId, { q: '139 1234' })).customers;
    expect(sun).toMatchObject({ name: '孙建国', email: 'phone-8613912345678@phone.invalid', company_id: wenyin.company.id });
    const zhaos = (await customers.list(workspaceId, { q: '赵敏' })).customers;
    expect(zhaos.map((c) => c.email).sort()).toEqual(['zhao.min@wenyin.example', 'zhaomin.home@example.cn']);
    const work = zhaos.find((c) => c.email === 'zhao.min@wenyin.example')!;
    const suggestions = await t.services.customerMerges.suggestions(workspaceId, work.id);
    expect(suggestions.map((s) => [s.customer.email, s.reasons])).toEqual([['zhaomin.home@example.cn', ['name', 'phone']]]);
  });

  it('has saved segments matching real demo customers', async () => {
    const segments = t.services.customerSegments;
    const members = async (name: string) => {
      const segment = (await segments.list(workspaceId)).find((s) => s.name === name)!;
      const page = await segments.members(workspaceId, segment.id, { limit: 100 });
      expect((await segments.count(workspaceId, segment.id)).count).toBe(page.customers.length);
      return page.customers.map((c) => c.email).sort();
    };
    expect(await members('YM-720 用户 · 近 12 个月有购买')).toEqual(['oliver.chan@harbour-office.example', 'zhang.wei@example.com']);
    expect(await members('VIP 客户')).toEqual(['sarah.miller@example.com', 'zhao.min@wenyin.example']);
    expect(await members('Gold & platinum tier')).toEqual(['oliver.chan@harbour-office.example', 'sarah.miller@example.com', 'zhao.min@wenyin.example']);
    expect(await members('产品通知 · Warranty notices')).toEqual(['li.na@example.com', 'oliver.chan@harbour-office.example', 'zhang.wei@example.com', 'zhao.min@wenyin.example']);
    // The demo's tickets are new, so only customers who never wrote are out of touch.
    const quiet = await members('180 天未联系 · No contact for 180 days');
    expect(quiet).toEqual(expect.arrayContaining(['oliver.chan@harbour-office.example', 'zhao.min@wenyin.example']));
    expect(quiet).not.toContain('zhang.wei@example.com');
  });
});
