import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestClock } from '../../../../test/helpers/app.js';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { recordingLog } from '../../../../test/helpers/log.js';
import { loadConfig } from '../../../core/config.js';
import { connectDatabase, type Database } from '../../../core/db/database.js';
import { createInProcessBus, type DomainEvent } from '../../../core/events/index.js';
import { createDatabaseQueue, type JobQueue } from '../../../core/jobs/index.js';
import { createLogger } from '../../../core/logger.js';
import { Tenancy } from '../../../core/tenancy.js';
import type { DB } from '../../../core/db/database.js';
import { createServices, registerWorkers, type Services } from '../../../services.js';
import type { CalendarDocument } from '../sla.calendar.js';
import { SLA_JOBS, type CheckJob } from '../sla.service.js';

/**
 * The deadline jobs live in the database: a process that stops (or dies) with a breach due hands
 * it to the next one, and the escalation still happens exactly once.
 */
let testDb: TestDatabase;
let database: Database;
let tenancy: Tenancy<DB>;
const queues: JobQueue[] = [];
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', KEFU_PUBLIC_URL: 'http://localhost:3000' });
const log = createLogger('silent');
const SYSTEM = { type: 'system' as const, id: null };

beforeAll(async () => {
  testDb = await freshDatabase();
  database = await connectDatabase(testDb.url, { max: 8, log });
  tenancy = await Tenancy.load(database.db);
});
afterAll(async () => {
  for (const queue of queues) await queue.stop({ graceful: false }).catch(() => undefined);
  await database.close();
  await testDb.drop();
});

/** One "process": its own job queue instance, bus and clock over the shared database. */
async function startInstance(): Promise<{ services: Services; jobs: JobQueue; clock: TestClock; events: DomainEvent[] }> {
  const jobs = createDatabaseQueue({ connectionString: testDb.url, log: recordingLog(), pollingIntervalSeconds: 0.5 });
  queues.push(jobs);
  await jobs.start();
  const bus = createInProcessBus(log);
  const events: DomainEvent[] = [];
  bus.subscribe('sla.breached', (event) => { events.push(event); });
  const clock = new TestClock();
  return { services: createServices({ config, database, tenancy, bus, jobs, clock }), jobs, clock, events };
}

const aroundTheClock: CalendarDocument = {
  timeZone: 'Asia/Shanghai',
  weeklyHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]])) as CalendarDocument['weeklyHours'],
  holidays: [],
  workdays: [],
};

async function jobStates(name: string): Promise<{ state: string; data: CheckJob }[]> {
  const { rows } = await database.pool.query('select state, data from pgboss.job where name = $1 order by created_on', [name]);
  return rows;
}

describe('SLA deadlines across a restart (database job queue)', () => {
  it('escalates once each: a breach whose job never ran, and one marked by a process that died before escalating', async () => {
    // ---- the first process: no SLA worker runs here (a web node, or a worker about to stop) ----
    const first = await startInstance();
    const ws = await first.services.accounts.createWorkspace({ slug: 'restart', name: { en: 'Restart Ltd', 'zh-CN': '重启公司' } });
    await first.services.accounts.createAgent(ws.id, { email: 'admin@restart.example', name: 'Admin', role: 'admin', password: 'restart-password-1' }, SYSTEM);
    await first.services.sla.setCalendar(ws.id, aroundTheClock, false);
    const urgent = (await first.services.sla.policies(ws.id)).find((p) => p.urgency === 2 && !p.department_id)!;
    await first.services.sla.updatePolicy(ws.id, urgent.id, { firstResponseMinutes: 1 });

    // Opened five minutes ago with a one-minute first-response target: due four minutes ago.
    first.clock.set(new Date(Date.now() - 5 * 60_000));
    const open = (subject: string) => first.services.tickets.open(ws.id, {
      subject, body: 'Nothing prints.', channel: 'web', customer: { email: 'li@example.com', name: 'Li' }, urgency: 2,
    }, SYSTEM);
    const queued = await open('Job never ran');
    const interrupted = await open('Marked, then the process died');
    first.clock.set(new Date());
    // Each ticket's one check job, due at its first deadline (the breach: this policy gives no warning).
    const checks = (await jobStates(SLA_JOBS.check)).filter((j) => j.state === 'created');
    const firstResponseJob = (ticketId: string) => checks.find((j) => j.data.ticketId === ticketId && j.data.at < new Date().toISOString())!.data;
    expect(firstResponseJob(queued.id)).toBeDefined();
    expect(firstResponseJob(interrupted.id)).toBeDefined();

    // The second ticket's check runs here by hand and dies right after marking the breach.
    vi.spyOn(first.services.sla, 'runEscalations').mockRejectedValueOnce(new Error('process killed'));
    await expect(first.services.sla.check(firstResponseJob(interrupted.id))).rejects.toThrow('process killed');
    expect((await first.services.sla.ticketSla(ws.id, interrupted.id)).clocks[0]!.breachedAt).not.toBeNull();
    expect((await first.services.sla.escalations(ws.id, interrupted.id)).every((s) => s.outcome === null)).toBe(true);
    await first.jobs.stop();
    expect((await jobStates(SLA_JOBS.check)).filter((j) => j.state === 'created').length).toBeGreaterThanOrEqual(2);

    // ---- the next process: registers the workers and picks the jobs up from the database ----
    const second = await startInstance();
    await registerWorkers(second.services, second.jobs);
    await vi.waitFor(async () => {
      for (const ticket of [queued, interrupted]) {
        const steps = await second.services.sla.escalations(ws.id, ticket.id);
        expect(steps.map((s) => `${s.action.type}:${s.outcome}`)).toEqual(['notify:done', 'raise_urgency:done', 'event:done']);
      }
    }, { timeout: 20_000, interval: 100 });

    // Run every check once more, as a retry or a duplicate delivery would: nothing new happens.
    for (const ticket of [queued, interrupted]) await second.jobs.send(SLA_JOBS.check, firstResponseJob(ticket.id));
    await second.services.sla.sweepWorkspace(ws.id);
    await vi.waitFor(async () => expect((await jobStates(SLA_JOBS.check)).filter((j) => j.state === 'created' && j.data.at < new Date().toISOString())).toEqual([]),
      { timeout: 10_000, interval: 100 });

    expect(second.events.map((e) => (e.payload as { ticketId: string }).ticketId).sort()).toEqual([queued.id, interrupted.id].sort());
    expect(first.events).toEqual([]);
    for (const ticket of [queued, interrupted]) {
      expect((await second.services.tickets.ticket(ws.id, ticket.id)).urgency).toBe(3); // raised once
      const raises = (await second.services.tickets.activity(ws.id, ticket.id)).filter((a) => a.action === 'ticket.updated' && a.actor_type === 'system');
      expect(raises).toHaveLength(1);
    }
    const admin = (await second.services.accounts.listAgents(ws.id))[0]!;
    expect(await second.services.sla.notifications(ws.id, admin.id)).toHaveLength(2);
  });
});
