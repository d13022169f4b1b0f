import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tablesHolding } from '../../src/modules/customers/__tests__/customers.harness.js';
import { freePort, type KefuProcess } from '../helpers/cli.js';
import { openCrashWorld, type CrashWorld } from './crash-world.js';

/**
 * An erasure (PIPL / GDPR) is one transaction in a durable job: `kill -9` of the process while that
 * transaction is open leaves nothing half-erased, and after a restart the job runs again and erases
 * the customer exactly once — no table holds their name, e-mails or phone, their erasure is one
 * row marked done, and the audit log has one `customer.erased` entry. Filler notes of another
 * customer make the erasure's sweep of every text column take long enough to be caught in the act.
 */
const FILLER_NOTES = 300_000;
/** A job the dead process held runs again once it expires (40 s), then its back-off. */
const SETTLE_MS = 150_000;

const NAME = '钱崩溃';
const EMAIL = 'qian.crash@example.cn';
const SECOND_EMAIL = 'qian.home.crash@example.cn';
const PHONE = '+8613911112222';

let world: CrashWorld;
let workspaceId = '';
let customerId = '';
let token = '';

beforeAll(async () => {
  world = await openCrashWorld('erasure');
  const { services, database } = world;
  const system = { type: 'system', id: null } as const;
  const workspace = await services.accounts.createWorkspace({ slug: 'erasure', name: { en: 'Erasure Ltd', 'zh-CN': '删除公司' }, defaultLocale: 'zh-CN' });
  workspaceId = workspace.id;
  const admin = await services.accounts.createAgent(workspace.id, { email: 'admin@erasure.example', name: 'Admin', role: 'admin', password: 'erasure-password-1' }, system);
  token = (await services.accounts.createApiToken(workspace.id, admin.id, 'crash test', system)).token;
  const customer = await services.customers.create(workspace.id, {
    name: NAME, email: EMAIL, locale: 'zh-CN', timeZone: 'Asia/Shanghai', companyId: null, address: { line1: '浦东新区张江路 88 号', city: '上海' }, tags: ['vip'], attributes: {},
    identities: [{ kind: 'phone', value: PHONE, primary: true, verified: true }, { kind: 'email', value: SECOND_EMAIL, primary: false, verified: false }],
  }, system);
  customerId = customer.id;
  const file = await services.attachments.save({ filename: 'receipt.txt', stream: Readable.from([Buffer.from(`receipt of ${NAME}`)]) });
  const ticket = await services.tickets.open(workspace.id, { subject: `${NAME} 的打印机卡纸`, body: `我是${NAME}，电话 ${PHONE}，邮箱 ${SECOND_EMAIL}。`, channel: 'web', customer: { id: customer.id }, attachments: [file] }, { type: 'customer', id: customer.id });
  await services.tickets.addMessage(workspace.id, ticket.id, { kind: 'reply', body: `${NAME}您好，我们会致电 ${PHONE}。` }, { type: 'agent', id: admin.id });
  const product = await services.customers.createProduct(workspace.id, { model: 'YM-720', names: { en: 'YM-720' }, category: 'laser' });
  await services.customers.registerProduct(workspace.id, customer.id, { productId: product.id, serial: 'SN-CRASH-1', purchasedOn: '2026-01-01', warrantyUntil: null, boughtFrom: '' }, system);
  const bystander = await services.customers.create(workspace.id, { name: 'Bystander', email: 'bystander@example.com', locale: null, timeZone: null, companyId: null, address: null, tags: [], attributes: {}, identities: [] }, system);
  await database.pool.query(
    `insert into customer_notes (workspace_id, customer_id, body) select $1, $2, repeat('filler note about printers and toner ', 8) || g from generate_series(1, $3) g`,
    [workspace.id, bystander.id, FILLER_NOTES],
  );
}, 180_000);

afterAll(async () => {
  await world?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const query = <T>(text: string, values?: unknown[]) => world.query<T>(text, values);
const start = (port: number): Promise<KefuProcess> => world.start(port);

/** True while a transaction holds the erasure row locked (`lockErasure`'s select … for update): the erasure is under way. */
async function erasureInProgress(): Promise<boolean> {
  const [row] = await query<{ n: number }>(`
    select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
    where l.database = (select oid from pg_database where datname = current_database()) and c.relname = 'customer_erasures' and l.mode = 'RowShareLock' and l.granted`);
  return row!.n > 0;
}

const erasureRows = () => query<{ status: string; finished_at: Date | null }>('select status, finished_at from customer_erasures where customer_id = $1', [customerId]);

describe('kill -9 during an erasure', () => {
  it('leaves nothing half-erased, and after the restart erases the customer exactly once', async () => {
    const port = await freePort();
    const first = await start(port);
    const asked = await fetch(`${first.url}/api/v1/customers/${customerId}/erasure`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ confirm: true }),
    });
    expect(asked.status).toBe(202);

    // Caught in the act: the job's transaction is open.
    const deadline = Date.now() + 60_000;
    while (!(await erasureInProgress())) {
      if (Date.now() > deadline) throw new Error(`the erasure job never started:\n${first.output()}`);
      await sleep(5);
    }
    first.child.kill('SIGKILL');
    await first.exited;

    // Nothing of it committed: the customer is whole, the erasure still queued.
    expect(await erasureRows()).toEqual([{ status: 'queued', finished_at: null }]);
    const [whole] = await query<{ name: string; email: string; erased_at: Date | null }>('select name, email, erased_at from customers where id = $1', [customerId]);
    expect(whole).toEqual({ name: NAME, email: EMAIL, erased_at: null });
    expect(await tablesHolding(world.database.db, PHONE)).toContain('customer_identities.value');

    await start(port);
    const settleBy = Date.now() + SETTLE_MS;
    while ((await erasureRows())[0]?.status !== 'done' && Date.now() < settleBy) await sleep(1000);

    const rows = await erasureRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('done');
    for (const value of [NAME, EMAIL, SECOND_EMAIL, PHONE, 'SN-CRASH-1', '张江路']) expect(await tablesHolding(world.database.db, value), value).toEqual([]);
    const [erased] = await query<{ name: string; erased_at: Date | null }>('select name, erased_at from customers where id = $1', [customerId]);
    expect(erased!.name).toBe('[erased]');
    expect(erased!.erased_at).not.toBeNull();
    // The ticket stays, as an anonymous record, so reports keep their counts.
    expect(await query('select count(*)::int as n from tickets where customer_id = $1', [customerId])).toEqual([{ n: 1 }]);
    const audit = await query<{ action: string }>(`select action from audit_log where workspace_id = $1 and target_id = $2 and action = 'customer.erased'`, [workspaceId, customerId]);
    expect(audit).toHaveLength(1);
  }, SETTLE_MS + 120_000);
});
