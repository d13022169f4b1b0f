import type { PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type KefuProcess } from '../helpers/cli.js';
import { openCrashWorld, type CrashWorld } from './crash-world.js';

/**
 * A triage rule's "notify" (mail the admins that a ticket arrived) is decided with the ticket's
 * triage: the mails and the `triage.notified` activity line are written in the transaction that
 * stores the decision. The test holds the mail outbox locked so that transaction is caught after
 * the decision's row is written and before its mails are, kills the process with SIGKILL there,
 * and checks that nothing of it was kept; after a restart the redelivered `ticket.created` decides
 * the ticket again and each admin is told exactly once. (Were the decision committed on its own,
 * the kill would leave it stored with no notice, and the redelivery would find it and send none.)
 */
const SETTLE_MS = 60_000;
const WORD = '停机告警';

let world: CrashWorld;
let workspaceId = '';
let token = '';
const admins: string[] = [];
let locker: PoolClient | undefined;

beforeAll(async () => {
  world = await openCrashWorld('triage', { poolMax: 3 });
  const { services } = world;
  const system = { type: 'system', id: null } as const;
  const workspace = await services.accounts.createWorkspace({ slug: 'notices', name: { en: 'Notices Ltd', 'zh-CN': '通知公司' }, defaultLocale: 'zh-CN' });
  workspaceId = workspace.id;
  for (const [email, locale] of [['lin@notices.example', 'zh-CN'], ['emma@notices.example', 'en']] as const) {
    const admin = await services.accounts.createAgent(workspace.id, { email, name: email, role: 'admin', locale, password: 'notices-password-1' }, system);
    admins.push(admin.email);
  }
  const [first] = await services.accounts.listAgents(workspace.id);
  token = (await services.accounts.createApiToken(workspace.id, first!.id, 'crash test', system)).token;
  await services.triage.createRule(workspace.id, {
    name: '停机告警 → 通知管理员 / outage alarm → tell the admins', enabled: true,
    conditions: [{ type: 'words', field: 'any', words: [WORD], match: 'any' }], actions: [{ type: 'notify', agentId: null }],
  });
}, 120_000);

afterAll(async () => {
  await locker?.query('rollback').catch(() => undefined);
  locker?.release();
  await world?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const query = <T>(text: string, values?: unknown[]) => world.query<T>(text, values);
const start = (port: number): Promise<KefuProcess> => world.start(port);
const THIS_DATABASE = '(select oid from pg_database where datname = current_database())';

/**
 * Caught between the decision and its notices: a backend has written the decision's row in a
 * transaction still open and waits for the outbox. (Or the decision is committed already, which
 * is how code that commits it on its own would be caught: the assertions after the kill fail then.)
 */
async function caught(ticketId: string): Promise<boolean> {
  const [row] = await query<{ waiting: boolean; decided: boolean }>(`
    select exists (
      select 1 from pg_locks d join pg_class dc on dc.oid = d.relation
        join pg_locks w on w.pid = d.pid join pg_class wc on wc.oid = w.relation
      where d.database = ${THIS_DATABASE} and dc.relname = 'triage_decisions' and d.mode = 'RowExclusiveLock' and d.granted
        and w.database = ${THIS_DATABASE} and wc.relname = 'mail_outbox' and not w.granted
    ) as waiting,
    exists (select 1 from triage_decisions where ticket_id = $1) as decided`, [ticketId]);
  return row!.waiting || row!.decided;
}

const decisions = (ticketId: string) => query<{ notified: unknown }>('select notified from triage_decisions where ticket_id = $1', [ticketId]);
const notices = (ticketId: string) => query<{ to_address: string; locale: string; template: string }>(
  `select to_address, locale, template from mail_outbox where workspace_id = $1 and idempotency_key like $2 order by locale`, [workspaceId, `triage.notify:${ticketId}:%`]);
const noticeLines = (ticketId: string) => query<{ details: { notified: number } }>(
  `select details from ticket_activity where ticket_id = $1 and action = 'triage.notified'`, [ticketId]);

describe('kill -9 between a rule\'s decision and its notices', () => {
  it('keeps neither, and after the restart tells each admin exactly once', async () => {
    const port = await freePort();
    const first = await start(port);

    // Inserts into the outbox wait behind this lock; reads of it do not.
    locker = await world.database.pool.connect();
    await locker.query('begin');
    await locker.query('lock table mail_outbox in exclusive mode');

    const opened = await fetch(`${first.url}/api/v1/tickets`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: `${WORD}：三楼打印机全部停机`, body: '三楼所有打印机从九点起停机，请尽快处理。', channel: 'api', customer: { email: 'ops@customer.example', name: '运维' } }),
    });
    expect(opened.status).toBe(201);
    const ticketId = (await opened.json() as { id: string }).id;

    const deadline = Date.now() + 30_000;
    while (!(await caught(ticketId))) {
      if (Date.now() > deadline) throw new Error(`triage never reached the notices:\n${first.output()}`);
      await sleep(5);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    // The dead process's backends still waiting behind the lock go too (they would otherwise run
    // their statement once it is released), then the lock is released.
    await query(`select pg_terminate_backend(pid) from pg_locks where database = ${THIS_DATABASE} and not granted`);
    await locker.query('rollback');
    locker.release();
    locker = undefined;

    // Nothing of the decision was kept: no decision, no notice, no activity line.
    expect(await decisions(ticketId)).toEqual([]);
    expect(await notices(ticketId)).toEqual([]);
    expect(await noticeLines(ticketId)).toEqual([]);

    await start(port);
    const settleBy = Date.now() + SETTLE_MS;
    while ((await notices(ticketId)).length < admins.length && Date.now() < settleBy) await sleep(250);

    expect(await decisions(ticketId)).toEqual([{ notified: [null] }]);
    // Each admin once, in their language; one activity line saying so.
    expect(await notices(ticketId)).toEqual([
      { to_address: 'emma@notices.example', locale: 'en', template: 'triageRuleNotice' },
      { to_address: 'lin@notices.example', locale: 'zh-CN', template: 'triageRuleNotice' },
    ]);
    expect(await noticeLines(ticketId)).toEqual([{ details: expect.objectContaining({ notified: 2 }) }]);
  }, 150_000);
});
