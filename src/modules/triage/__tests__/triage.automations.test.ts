import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomationSettings } from '../../../contracts/triage.js';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

/**
 * Time-based automations on the app, driven by the test clock: the sweep as the cron runs it
 * (fan-out, per-workspace sweep, one job per ticket and condition), what each automation does, and
 * that each fires exactly once per ticket and condition however often the sweep runs.
 */
let t: TestApp;
const SYSTEM = { type: 'system' as const, id: null };
const HOUR = 3_600_000;
type Auth = { authorization: string };
let admin: Auth;
let agent: Auth;
let agentId: string;

const SETTINGS: AutomationSettings = {
  remind: { enabled: true, afterHours: 4 },
  escalate: { enabled: true, afterHours: 24, onSlaWarning: true, raiseUrgencyTo: 3, departmentId: null, notify: true },
  autoClose: { enabled: true, afterDays: 7 },
  duplicates: { enabled: false, windowMinutes: 10 },
  spam: { enabled: false, threshold: 5, blocklist: [] },
};

beforeAll(async () => {
  t = await createTestApp();
  // Monday 09:00 in Shanghai, years ahead. The SLA's check jobs are due by Postgres' clock, not the
  // test's: on a day in the real past they fell due at once on the Postgres pass, and the SLA warning
  // raised the escalated ticket's urgency once more (the test failed from the day after it was written).
  t.clock.set('2030-03-04T01:00:00Z');
  const token = async (id: string) => ({ authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, id, 'test', SYSTEM)).token}` });
  admin = await token(t.workspace.admin.id);
  agentId = (await t.services.accounts.createAgent(t.workspace.id, { email: 'lin@acme.example', name: 'Lin', role: 'agent', password: 'agent-password-1', locale: 'zh-CN' }, SYSTEM)).id;
  agent = await token(agentId);
});
afterAll(async () => { await t?.close(); });

const api = async (headers: Auth, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) => {
  const res = await t.app.http.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
  await t.jobs.drain();
  return res;
};

/** The cron's run: the fan-out job, then every sweep and firing it caused. */
async function sweep() {
  await t.services.triage.automations.sweepAll();
  await t.jobs.drain();
}

const open = (subject: string, email = 'wang@customer.example') => t.services.tickets.open(t.workspace.id, {
  subject, body: `${subject}, please help.`, channel: 'web', customer: { email, name: 'Wang', locale: 'zh-CN' },
}, SYSTEM);

const mails = async (template: string, ticketNumber: number) => (await t.database.db.selectFrom('mail_outbox').select(['to_address', 'locale', 'subject', 'text_body'])
  .where('workspace_id', '=', t.workspace.id).where('template', '=', template).orderBy('created_at').execute())
  .filter((m) => new RegExp(`#${ticketNumber}(\\D|$)`).test(m.subject));
const activity = async (ticketId: string, action: string) => (await t.services.tickets.activity(t.workspace.id, ticketId)).filter((a) => a.action === action);

describe('automation settings', () => {
  it('are read by any agent, changed by admins within their ranges, audited; bad input changes nothing', async () => {
    expect((await api(agent, 'GET', '/triage/automations')).json()).toMatchObject({ remind: { enabled: false, afterHours: 4 }, duplicates: { windowMinutes: 10 } });
    expect((await api(agent, 'PUT', '/triage/automations', SETTINGS)).statusCode).toBe(403);

    const zeroHours = await api(admin, 'PUT', '/triage/automations', { ...SETTINGS, remind: { enabled: true, afterHours: 0 } });
    expect(zeroHours.statusCode).toBe(400);
    const tooManyDays = await api(admin, 'PUT', '/triage/automations', { ...SETTINGS, autoClose: { enabled: true, afterDays: 366 } });
    expect(tooManyDays.statusCode).toBe(400);
    const idle = await api(admin, 'PUT', '/triage/automations', { ...SETTINGS, escalate: { ...SETTINGS.escalate, raiseUrgencyTo: null, notify: false } });
    expect(idle.json().error).toMatchObject({ code: 'TRIAGE_AUTOMATIONS_INVALID', details: [{ path: 'escalate', code: 'NOTHING_TO_DO' }] });
    const other = await t.addWorkspace('other-automations');
    const foreign = (await t.services.tickets.departments(other.id))[0]!.id;
    const foreignTeam = await api(admin, 'PUT', '/triage/automations', { ...SETTINGS, escalate: { ...SETTINGS.escalate, departmentId: foreign } });
    expect(foreignTeam.json().error).toMatchObject({ code: 'TRIAGE_AUTOMATIONS_INVALID', details: [{ path: 'escalate.departmentId', code: 'DEPARTMENT_UNKNOWN' }] });
    const badSender = await api(admin, 'PUT', '/triage/automations', { ...SETTINGS, spam: { ...SETTINGS.spam, blocklist: ['not an address'] } });
    expect(badSender.statusCode).toBe(400);
    expect((await api(agent, 'GET', '/triage/automations')).json().remind.enabled).toBe(false);

    const saved = await api(admin, 'PUT', '/triage/automations', SETTINGS);
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await api(agent, 'GET', '/triage/automations')).json()).toEqual(SETTINGS);
    const audit = await api(admin, 'GET', '/audit-log?action=triage.automations_updated');
    expect(audit.body).toContain('"triage.automations_updated"');
  });
});

describe('automations by the clock', () => {
  it('remind the assignee once per wait on an agent, however often the sweep runs', async () => {
    const ticket = await open('打印机卡纸');
    await t.services.tickets.update(t.workspace.id, ticket.id, { assigneeId: agentId }, SYSTEM);
    await t.jobs.drain();

    t.clock.advance(3 * HOUR);
    await sweep();
    expect(await mails('triageReminder', ticket.number)).toHaveLength(0);

    t.clock.advance(1.5 * HOUR);
    await sweep();
    await sweep();
    t.clock.advance(HOUR);
    await sweep();
    // A duplicate job for the same condition (a second node's sweep, a redelivery) does nothing more.
    await t.services.triage.automations.fire({ workspaceId: t.workspace.id, ticketId: ticket.id, automation: 'remind', conditionKey: (await t.services.tickets.ticket(t.workspace.id, ticket.id)).last_customer_message_at!.toISOString() });
    const reminders = await mails('triageReminder', ticket.number);
    expect(reminders).toEqual([expect.objectContaining({ to_address: 'lin@acme.example', locale: 'zh-CN' })]);
    expect(reminders[0]!.text_body).toContain('4 小时');
    expect(await activity(ticket.id, 'triage.reminded')).toEqual([expect.objectContaining({ actor_type: 'system', details: expect.objectContaining({ hours: 4, notified: 1 }) })]);

    // The customer writes again: a new wait, reminded once more after its own four hours.
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: '还是不行' }, { type: 'customer', id: ticket.customer_id });
    t.clock.advance(5 * HOUR);
    await sweep();
    await sweep();
    expect(await mails('triageReminder', ticket.number)).toHaveLength(2);

    // The agent answers: nothing waits on them, no reminder.
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: '请重启', status: 'open' }, { type: 'agent', id: agentId });
    t.clock.advance(10 * HOUR);
    await sweep();
    expect(await mails('triageReminder', ticket.number)).toHaveLength(2);
  });

  it('escalate a ticket without a first answer once: an agent who lowers the urgency again is not overruled', async () => {
    const ticket = await open('Printer on fire');
    await t.jobs.drain();
    t.clock.advance(23 * HOUR);
    await sweep();
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).urgency).toBe(1);

    t.clock.advance(2 * HOUR);
    await sweep();
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).urgency).toBe(3);
    // Unassigned: the admins are told.
    expect(await mails('triageEscalated', ticket.number)).toEqual([expect.objectContaining({ to_address: t.workspace.admin.email })]);
    expect(await activity(ticket.id, 'triage.escalated')).toEqual([expect.objectContaining({ details: expect.objectContaining({ hours: 24, urgency: 3, notified: 1 }) })]);

    await t.services.tickets.update(t.workspace.id, ticket.id, { urgency: 1 }, { type: 'agent', id: agentId });
    t.clock.advance(HOUR);
    await sweep();
    await sweep();
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).urgency).toBe(1);
    expect(await mails('triageEscalated', ticket.number)).toHaveLength(1);
    expect(await activity(ticket.id, 'triage.escalated')).toHaveLength(1);
  });

  it('escalate on an SLA warning once per clock and cycle', async () => {
    const ticket = await open('SLA warning');
    const warned = (id: string) => t.services.triage.automations.onSlaWarned({
      id, type: 'sla.warned', workspaceId: t.workspace.id, occurredAt: t.clock.now().toISOString(),
      payload: { ticketId: ticket.id, ticketNumber: ticket.number, clockId: '00000000-0000-4000-8000-000000000001', kind: 'first_response', cycle: 1, dueAt: null },
    } as never);
    await warned('event-1');
    await warned('event-1-redelivered');
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).urgency).toBe(3);
    expect(await activity(ticket.id, 'triage.escalated')).toEqual([expect.objectContaining({ details: expect.objectContaining({ slaKind: 'first_response' }) })]);
    expect(await mails('triageEscalated', ticket.number)).toHaveLength(1);
  });

  it('close a ticket pending for the set days once, with a notice to the customer in their language', async () => {
    const ticket = await open('Toner order');
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Which model do you have?' }, { type: 'agent', id: agentId });
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).status).toBe('pending');
    t.clock.advance(6 * 24 * HOUR);
    await sweep();
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).status).toBe('pending');

    t.clock.advance(1.1 * 24 * HOUR);
    await sweep();
    await sweep();
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).status).toBe('closed');
    const notices = await mails('triageAutoClosed', ticket.number);
    expect(notices).toEqual([expect.objectContaining({ to_address: 'wang@customer.example', locale: 'zh-CN' })]);
    expect(notices[0]!.text_body).toContain('7 天');
    expect(await activity(ticket.id, 'triage.auto_closed')).toEqual([expect.objectContaining({ details: expect.objectContaining({ days: 7, status: 'closed', noticeSent: true }) })]);
  });

  it('carry out a claimed plan after a crash as planned, not planned again', async () => {
    const ticket = await open('Crash between claim and action');
    // A worker claimed the escalation (urgency 4 then) and died before acting on it.
    await t.database.db.insertInto('triage_automation_runs').values({
      workspace_id: t.workspace.id, ticket_id: ticket.id, automation: 'escalate', condition_key: 'no-first-reply', state: 'claimed',
      plan: JSON.stringify({ urgency: 4, reason: { hours: 24 } }), claimed_at: t.clock.now(),
    }).execute();
    t.clock.advance(25 * HOUR);
    await sweep();
    // The sweep skips a claimed run; the retried job finishes it with the claimed plan.
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).urgency).toBe(1);
    await t.services.triage.automations.fire({ workspaceId: t.workspace.id, ticketId: ticket.id, automation: 'escalate', conditionKey: 'no-first-reply' });
    await t.services.triage.automations.fire({ workspaceId: t.workspace.id, ticketId: ticket.id, automation: 'escalate', conditionKey: 'no-first-reply' });
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).urgency).toBe(4);
    expect(await activity(ticket.id, 'triage.escalated')).toHaveLength(1);
  });

  it('do nothing when turned off', async () => {
    await api(admin, 'PUT', '/triage/automations', { ...SETTINGS, remind: { ...SETTINGS.remind, enabled: false }, escalate: { ...SETTINGS.escalate, enabled: false }, autoClose: { ...SETTINGS.autoClose, enabled: false } });
    const ticket = await open('Nobody automates me');
    await t.services.tickets.update(t.workspace.id, ticket.id, { assigneeId: agentId }, SYSTEM);
    t.clock.advance(30 * 24 * HOUR);
    await sweep();
    expect(await t.database.db.selectFrom('triage_automation_runs').selectAll().where('ticket_id', '=', ticket.id).execute()).toEqual([]);
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).urgency).toBe(1);
  });
});
