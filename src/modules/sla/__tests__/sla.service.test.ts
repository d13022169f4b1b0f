import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { countCheckouts } from '../../../../test/helpers/pool-checkouts.js';
import type { DomainEvent, EventHandler, EventName } from '../../../core/events/index.js';
import { Tenancy } from '../../../core/tenancy.js';
import { SlaRepo } from '../sla.repo.js';
import { SLA_JOBS, type CheckJob } from '../sla.service.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const SYSTEM = { type: 'system' as const, id: null };
const shanghai = (local: string) => new Date(`${local}+08:00`);

/** A workspace of its own (default calendar: Asia/Shanghai, Mon–Fri 09:00–18:00) and an admin's API client. */
async function workspace(slug: string) {
  const ws = await t.addWorkspace(slug);
  const { token } = await t.services.accounts.createApiToken(ws.id, ws.admin.id, 'tests', SYSTEM);
  // A write's subscribers (the SLA's clocks) have run when it returns, before the test moves its
  // clock on: on the durable drivers they run after the commit, with the clock as it is then.
  const api = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const res = await t.app.http.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload });
    if (method !== 'GET') await t.jobs.drain();
    return res;
  };
  const policyFor = async (urgency: number) =>
    (await api('GET', '/sla/policies')).json().policies.find((p: { urgency: number; departmentId: string | null }) => p.urgency === urgency && !p.departmentId);
  const setTargets = async (urgency: number, targets: object) => {
    const res = await api('PATCH', `/sla/policies/${(await policyFor(urgency)).id}`, targets);
    expect(res.statusCode, res.body).toBe(200);
    await t.jobs.drain();
  };
  const open = async (at: Date, urgency = 2, extra: object = {}) => {
    t.clock.set(at);
    const res = await api('POST', '/tickets', { subject: 'Printer offline', body: 'It says offline.', customer: { email: `c@${slug}.example`, name: 'C' }, urgency, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; customerId: string; number: number };
  };
  const ticket = async (id: string) => (await api('GET', `/tickets/${id}`)).json();
  const sla = async (id: string) => (await api('GET', `/tickets/${id}/sla`)).json();
  const clockOf = async (id: string, kind: string) =>
    (await sla(id)).clocks.filter((c: { kind: string }) => c.kind === kind).at(-1);
  const customerReply = async (id: string, customerId: string, at: Date) => {
    t.clock.set(at);
    const message = await t.services.tickets.addMessage(ws.id, id, { kind: 'reply', body: 'Still broken.' }, { type: 'customer', id: customerId });
    await t.jobs.drain();
    return message;
  };
  const agentReply = async (id: string, at: Date) => {
    t.clock.set(at);
    return api('POST', `/tickets/${id}/messages`, { kind: 'reply', body: 'Please restart it.' });
  };
  return { ws, api, policyFor, setTargets, open, ticket, sla, clockOf, customerReply, agentReply };
}

/** The SLA's handler of one event, as the in-process bus calls it (`each` of a set-based one). */
function handlerOf<K extends EventName>(type: K): EventHandler<K> {
  const subscription = t.services.sla.subscriptions()[type];
  if (!subscription) throw new Error(`The SLA does not subscribe to ${type}`);
  return typeof subscription === 'function' ? subscription : subscription.each;
}

function record(type: EventName) {
  const events: DomainEvent[] = [];
  const stop = t.bus.subscribe(type, (event: DomainEvent) => { events.push(event); });
  return { events, stop };
}

describe('deadlines in business hours', () => {
  it('gives a ticket opened Friday 17:30 in Shanghai with a 60-minute target a Monday 09:30 deadline, on the ticket itself', async () => {
    const w = await workspace('sla-friday');
    await w.setTargets(2, { firstResponseMinutes: 60 });
    const created = await w.open(shanghai('2026-11-27T17:30:00'));
    const ticket = await w.ticket(created.id);
    expect(ticket.firstResponseDueAt).toBe('2026-11-30T01:30:00.000Z'); // Monday 09:30 in Shanghai
    // Resolution, 1,620 business minutes (3 days): 30 min on Friday, Monday, Tuesday, then 510 on Wednesday.
    expect(ticket.resolutionDueAt).toBe(shanghai('2026-12-02T17:30:00').toISOString());
    expect(ticket.nextResponseDueAt).toBeNull();
    const sla = await w.sla(created.id);
    expect(sla).toMatchObject({ policy: { name: 'Urgent' }, timeZone: 'Asia/Shanghai', paused: false });
    expect(sla.clocks.map((c: { kind: string; status: string }) => `${c.kind}:${c.status}`)).toEqual(['first_response:running', 'resolution:running']);
  });

  it('writes a ticket\'s deadlines only when they change', async () => {
    const w = await workspace('sla-unchanged');
    await w.setTargets(2, { firstResponseMinutes: 60 });
    const created = await w.open(shanghai('2026-11-30T10:00:00'));
    const deadlines = async () => {
      const ticket = await w.ticket(created.id);
      return [ticket.firstResponseDueAt, ticket.resolutionDueAt];
    };
    const before = await deadlines();
    const setDeadlines = vi.spyOn(t.services.tickets, 'setDeadlines');
    try {
      await t.services.sla.sync(w.ws.id, created.id);
      expect(setDeadlines).not.toHaveBeenCalled();
      const res = await w.api('PATCH', `/tickets/${created.id}`, { urgency: 3 });
      expect(res.statusCode, res.body).toBe(200);
      expect(setDeadlines).toHaveBeenCalled();
      expect(await deadlines()).not.toEqual(before);
    } finally {
      setDeadlines.mockRestore();
    }
  });

  it('leaves the latest saved clocks\' deadlines on the ticket when syncs of it race, and puts back deadlines that went astray', async () => {
    const w = await workspace('sla-racing');
    await w.setTargets(2, { firstResponseMinutes: 60 });
    await w.setTargets(3, { firstResponseMinutes: 30 });
    const created = await w.open(shanghai('2026-11-30T10:00:00'));
    const runningDue = async () => {
      const clocks = (await w.sla(created.id)).clocks as { kind: string; status: string; dueAt: string | null }[];
      const dueOf = (kind: string) => clocks.filter((c) => c.kind === kind && c.status !== 'stopped').at(-1)?.dueAt ?? null;
      return [dueOf('first_response'), dueOf('resolution')];
    };
    const shown = async () => {
      const ticket = await w.ticket(created.id);
      return [ticket.firstResponseDueAt, ticket.resolutionDueAt];
    };
    // The urgency changes while several syncs of the ticket run side by side (its own event's too).
    const syncs = Promise.all(Array.from({ length: 4 }, () => t.services.sla.sync(w.ws.id, created.id)));
    await t.services.tickets.update(w.ws.id, created.id, { urgency: 3 }, SYSTEM);
    await Promise.all([syncs, t.services.sla.sync(w.ws.id, created.id), t.services.sla.sync(w.ws.id, created.id)]);
    await t.jobs.drain();
    expect(await shown()).toEqual(await runningDue());
    expect((await shown())[0]).toBe(shanghai('2026-11-30T10:30:00').toISOString());

    // Deadlines written by anything but the clocks are put back by the next sync, though the clocks themselves did not change.
    await t.services.tickets.setDeadlines(w.ws.id, [{ ticketId: created.id, firstResponse: new Date('2030-01-01T00:00:00Z'), nextResponse: null, resolution: null }], t.database.db);
    await t.services.sla.sync(w.ws.id, created.id);
    expect(await shown()).toEqual(await runningDue());
  });

  it('keeps one set of clocks when a new ticket\'s event comes again, after other syncs of it too', async () => {
    const w = await workspace('sla-created-again');
    await w.setTargets(2, { firstResponseMinutes: 60 });
    const created = await w.open(shanghai('2026-11-30T10:00:00'));
    const before = await w.sla(created.id);
    expect(before.clocks).toHaveLength(2);
    // The first sync of a new ticket saves without reading; a second delivery must find what the first saved.
    await handlerOf('ticket.created')({ workspaceId: w.ws.id, payload: { ticket: { id: created.id } } } as never);
    await t.services.sla.sync(w.ws.id, created.id, {}, { firstSync: true });
    const after = await w.sla(created.id);
    expect(after.clocks).toEqual(before.clocks);
    expect((await w.ticket(created.id)).firstResponseDueAt).toBe(shanghai('2026-11-30T11:00:00').toISOString());
  });

  it('reads a ticket\'s state and clocks in one statement exactly as it reads each, and only in the ticket\'s workspace', async () => {
    const w = await workspace('sla-one-read');
    await w.setTargets(2, { firstResponseMinutes: 60 });
    const created = await w.open(shanghai('2026-11-30T10:00:00'));
    await w.customerReply(created.id, created.customerId, shanghai('2026-11-30T10:05:00'));
    await w.agentReply(created.id, shanghai('2026-11-30T10:20:00'));
    const repo = new SlaRepo(t.database.db, await Tenancy.load(t.database.db));
    const db = repo.in(w.ws.id);
    const both = await repo.stateWithClocks(db, created.id);
    expect(both.clocks.length).toBeGreaterThanOrEqual(2);
    expect(both.clocks.some((c) => c.stopped_at instanceof Date)).toBe(true);
    expect(both).toEqual({ state: await repo.state(db, created.id), clocks: await repo.clocks(db, created.id) });
    const other = await t.addWorkspace('sla-one-read-other');
    expect(await repo.stateWithClocks(repo.in(other.id), created.id)).toEqual({ state: undefined, clocks: [] });
  });

  it('shows a ticket\'s clocks with its policy\'s current name and the current time zone, reading only the ticket and its clocks', async () => {
    const w = await workspace('sla-view');
    const created = await w.open(shanghai('2026-11-30T10:00:00'), 2);
    expect(await w.sla(created.id)).toMatchObject({ policy: { name: 'Urgent' }, timeZone: 'Asia/Shanghai' });
    const renamed = await w.api('PATCH', `/sla/policies/${(await w.policyFor(2)).id}`, { name: 'Urgent (renamed)' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const calendar = (await w.api('GET', '/sla/calendar')).json();
    const moved = await w.api('PUT', '/sla/calendar', { ...calendar, updatedAt: undefined, timeZone: 'Europe/Berlin' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await w.sla(created.id)).toMatchObject({ policy: { name: 'Urgent (renamed)' }, timeZone: 'Europe/Berlin' });
    const { checkouts } = await countCheckouts(t.database.pool, () => t.services.sla.ticketSla(w.ws.id, created.id));
    expect(checkouts).toBe(2);
  });

  it('moves the deadline to Tuesday when Monday becomes a holiday, for tickets already open too', async () => {
    const w = await workspace('sla-holiday');
    await w.setTargets(2, { firstResponseMinutes: 60 });
    const created = await w.open(shanghai('2026-11-27T17:30:00'));
    const calendar = (await w.api('GET', '/sla/calendar')).json();
    const res = await w.api('PUT', '/sla/calendar', { ...calendar, updatedAt: undefined, holidays: [{ date: '2026-11-30', name: 'Company day' }] });
    expect(res.statusCode, res.body).toBe(200);
    await t.jobs.drain(); // the recompute job re-applies the calendar to open tickets
    expect((await w.ticket(created.id)).firstResponseDueAt).toBe(shanghai('2026-12-01T09:30:00').toISOString());
    const later = await w.open(shanghai('2026-11-27T17:45:00'));
    expect((await w.ticket(later.id)).firstResponseDueAt).toBe(shanghai('2026-12-01T09:45:00').toISOString());
  });

  it('re-applies the policy when the urgency or department changes', async () => {
    const w = await workspace('sla-urgency');
    const created = await w.open(shanghai('2026-11-23T10:00:00'), 1);
    expect((await w.ticket(created.id)).firstResponseDueAt).toBe(shanghai('2026-11-24T10:00:00').toISOString()); // 540 min
    t.clock.set(shanghai('2026-11-23T10:20:00'));
    await w.api('PATCH', `/tickets/${created.id}`, { urgency: 3 });
    // Measured from creation, as policies are: 60 minutes after 10:00.
    expect((await w.ticket(created.id)).firstResponseDueAt).toBe(shanghai('2026-11-23T11:00:00').toISOString());

    const departments = (await w.api('GET', '/departments')).json().departments;
    const sales = departments.find((d: { key: string }) => d.key === 'sales');
    const res = await w.api('POST', '/sla/policies', { name: 'Sales critical', urgency: 3, departmentId: sales.id, firstResponseMinutes: 15, resolutionMinutes: 600 });
    expect(res.statusCode, res.body).toBe(201);
    await w.api('PATCH', `/tickets/${created.id}`, { departmentId: sales.id });
    expect((await w.ticket(created.id)).firstResponseDueAt).toBe(shanghai('2026-11-23T10:15:00').toISOString());
    expect((await w.sla(created.id)).policy.name).toBe('Sales critical');
  });

  it('spends no statement on a change of team that keeps the ticket under its policy, and syncs one that moves it', async () => {
    const w = await workspace('sla-same-policy');
    const created = await w.open(shanghai('2026-11-23T10:00:00'), 2);
    const due = async () => (await w.ticket(created.id)).firstResponseDueAt;
    const before = await due();
    const service = (await t.services.tickets.departments(w.ws.id)).find((d) => d.key === 'service')!;
    const teamChanged = {
      workspaceId: w.ws.id,
      payload: { ticket: { id: created.id, urgency: 2, departmentId: service.id }, changes: { departmentId: [null, service.id] }, actor: SYSTEM },
    } as never;
    await t.services.sla.policies(w.ws.id); // the cached policies, as a busy node has them
    const { checkouts } = await countCheckouts(t.database.pool, async () => { await handlerOf('ticket.updated')(teamChanged); });
    expect(checkouts).toBe(0);
    // Once the team has a policy of its own, the same change puts the ticket under it.
    await t.services.sla.createPolicy(w.ws.id, { name: 'Service normal', urgency: 2, departmentId: service.id, firstResponseMinutes: 30, nextResponseMinutes: null, resolutionMinutes: null });
    await t.jobs.drain();
    expect(await due()).toBe(before);
    await w.api('PATCH', `/tickets/${created.id}`, { departmentId: service.id });
    expect(await due()).toBe(shanghai('2026-11-23T10:30:00').toISOString());
    expect((await w.sla(created.id)).policy.name).toBe('Service normal');
  });

  it('has no deadlines for thanks, and none while there is no target', async () => {
    const w = await workspace('sla-thanks');
    const created = await w.open(shanghai('2026-11-23T10:00:00'), 0);
    expect(await w.ticket(created.id)).toMatchObject({ firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null });
    expect((await w.sla(created.id)).clocks.every((c: { targetMinutes: number | null }) => c.targetMinutes === null)).toBe(true);
  });
});

describe('pauses, replies and solving', () => {
  it('stops the first-response clock on the agent\'s reply, pauses resolution while pending, and resumes it with exactly the time it had left', async () => {
    const w = await workspace('sla-pause');
    const created = await w.open(shanghai('2026-11-23T10:00:00'));
    const before = await w.ticket(created.id);
    // 1,620 minutes from Monday 10:00: 480 on Monday, 540 on Tuesday and Wednesday, 60 on Thursday.
    expect(before.resolutionDueAt).toBe(shanghai('2026-11-26T10:00:00').toISOString());

    await w.agentReply(created.id, shanghai('2026-11-23T11:00:00')); // → pending
    const pending = await w.ticket(created.id);
    expect(pending).toMatchObject({ status: 'pending', firstResponseDueAt: null, resolutionDueAt: null });
    const paused = await w.sla(created.id);
    expect(paused.paused).toBe(true);
    expect(paused.clocks.find((c: { kind: string }) => c.kind === 'first_response')).toMatchObject({ status: 'met', businessMinutesUsed: 60 });
    expect(paused.clocks.find((c: { kind: string }) => c.kind === 'resolution')).toMatchObject({ status: 'paused', businessMinutesUsed: 60, businessMinutesLeft: 1560 });

    // The customer answers on Tuesday 14:00: paused for 7 h on Monday and 5 h on Tuesday = 720 business minutes.
    await w.customerReply(created.id, created.customerId, shanghai('2026-11-24T14:00:00'));
    const resumed = await w.ticket(created.id);
    expect(resumed.status).toBe('open');
    // Thursday 10:00 + 720 business minutes = Friday 13:00.
    expect(resumed.resolutionDueAt).toBe(shanghai('2026-11-27T13:00:00').toISOString());
    // A customer turn after the first response starts the next-response clock: 480 minutes → Wednesday 13:00.
    expect(resumed.nextResponseDueAt).toBe(shanghai('2026-11-25T13:00:00').toISOString());
    expect(await w.clockOf(created.id, 'next_response')).toMatchObject({ cycle: 1, status: 'running' });

    await w.agentReply(created.id, shanghai('2026-11-24T15:00:00'));
    expect(await w.clockOf(created.id, 'next_response')).toMatchObject({ cycle: 1, status: 'met', businessMinutesUsed: 60 });
    await w.customerReply(created.id, created.customerId, shanghai('2026-11-25T09:30:00'));
    expect(await w.clockOf(created.id, 'next_response')).toMatchObject({ cycle: 2, status: 'running' });
  });

  it('does not pause while on hold unless the workspace says so', async () => {
    const w = await workspace('sla-hold');
    const created = await w.open(shanghai('2026-11-23T10:00:00'));
    t.clock.set(shanghai('2026-11-23T11:00:00'));
    await w.api('PATCH', `/tickets/${created.id}`, { status: 'on_hold' });
    expect((await w.ticket(created.id)).resolutionDueAt).toBe(shanghai('2026-11-26T10:00:00').toISOString());

    const calendar = (await w.api('GET', '/sla/calendar')).json();
    t.clock.set(shanghai('2026-11-23T12:00:00'));
    await w.api('PUT', '/sla/calendar', { ...calendar, updatedAt: undefined, pauseOnHold: true });
    await t.jobs.drain();
    expect((await w.sla(created.id)).paused).toBe(true);
    expect((await w.ticket(created.id)).resolutionDueAt).toBeNull();
    t.clock.set(shanghai('2026-11-23T13:00:00'));
    await w.api('PATCH', `/tickets/${created.id}`, { status: 'open' });
    // Paused from 12:00 (when the setting changed) to 13:00: one hour later than before.
    expect((await w.ticket(created.id)).resolutionDueAt).toBe(shanghai('2026-11-26T11:00:00').toISOString());
  });

  it('stops every clock when solved, and resumes resolution if the customer reopens it', async () => {
    const w = await workspace('sla-solve');
    const created = await w.open(shanghai('2026-11-23T10:00:00'));
    t.clock.set(shanghai('2026-11-23T12:00:00'));
    await w.api('PATCH', `/tickets/${created.id}`, { status: 'solved' });
    expect(await w.ticket(created.id)).toMatchObject({ firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null });
    const solved = await w.sla(created.id);
    expect(solved.clocks.map((c: { kind: string; status: string }) => `${c.kind}:${c.status}`)).toEqual(['first_response:cancelled', 'resolution:met']);
    expect(solved.clocks.find((c: { kind: string }) => c.kind === 'resolution')).toMatchObject({ businessMinutesUsed: 120, stoppedAt: shanghai('2026-11-23T12:00:00').toISOString() });

    // Nothing is checked for a solved ticket, however late it gets.
    t.clock.set(shanghai('2026-12-20T12:00:00'));
    await t.services.sla.sweepWorkspace(w.ws.id);
    await t.jobs.drain();
    expect((await w.sla(created.id)).clocks.every((c: { breachedAt: string | null }) => c.breachedAt === null)).toBe(true);

    // Reopened by the customer on Tuesday 10:00: resolution resumes with 1,500 minutes left; the first response is owed again.
    await w.customerReply(created.id, created.customerId, shanghai('2026-11-24T10:00:00'));
    const reopened = await w.ticket(created.id);
    expect(reopened.status).toBe('open');
    expect(reopened.resolutionDueAt).toBe(shanghai('2026-11-26T17:00:00').toISOString()); // Tue 480, Wed 540, Thu 480
    expect(reopened.firstResponseDueAt).toBe(shanghai('2026-11-24T12:00:00').toISOString()); // 240 - 120 used
  });
});

describe('merging', () => {
  it('cancels the clocks of a ticket merged into another', async () => {
    const w = await workspace('sla-merge');
    const duplicate = await w.open(shanghai('2026-11-23T10:00:00'));
    const survivor = await w.open(shanghai('2026-11-23T10:05:00'));
    t.clock.set(shanghai('2026-11-23T10:30:00'));
    expect((await w.api('POST', `/tickets/${duplicate.id}/merge`, { intoId: survivor.id })).statusCode).toBe(200);
    expect(await w.ticket(duplicate.id)).toMatchObject({ status: 'closed', firstResponseDueAt: null, resolutionDueAt: null });
    expect((await w.sla(duplicate.id)).clocks.map((c: { status: string }) => c.status)).toEqual(['cancelled', 'cancelled']);
    expect((await w.ticket(survivor.id)).firstResponseDueAt).toBe(shanghai('2026-11-23T14:05:00').toISOString());
  });
});

describe('warnings, breaches and escalation', () => {
  async function overdueTicket(slug: string) {
    const w = await workspace(slug);
    const created = await w.open(shanghai('2026-11-23T10:00:00')); // urgent: first response by 14:00, warning at 13:30
    const clock = await w.clockOf(created.id, 'first_response');
    expect(clock.dueAt).toBe(shanghai('2026-11-23T14:00:00').toISOString());
    expect(clock.warnAt).toBe(shanghai('2026-11-23T13:30:00').toISOString());
    const job: CheckJob = { workspaceId: w.ws.id, ticketId: created.id, clockId: clock.id, phase: 'breach', at: clock.dueAt };
    return { w, created, clock, job };
  }

  it('does nothing before the deadline', async () => {
    const { w, created, job } = await overdueTicket('sla-early');
    const breached = record('sla.breached');
    t.clock.set(shanghai('2026-11-23T13:59:00'));
    await t.jobs.send(SLA_JOBS.check, job);
    await t.jobs.drain();
    breached.stop();
    expect(breached.events).toHaveLength(0);
    expect((await w.ticket(created.id)).urgency).toBe(2);
  });

  it('escalates a breach exactly once when the check job runs twice, and once more from the sweep', async () => {
    const { w, created, job } = await overdueTicket('sla-twice');
    const breached = record('sla.breached');
    t.clock.set(shanghai('2026-11-23T14:30:00'));
    await t.jobs.send(SLA_JOBS.check, job);
    await t.jobs.send(SLA_JOBS.check, job);
    await t.jobs.drain();
    await t.services.sla.sweepWorkspace(w.ws.id);
    await t.jobs.drain();
    await t.jobs.send(SLA_JOBS.check, job);
    await t.jobs.drain();
    breached.stop();

    expect(breached.events).toHaveLength(1);
    expect(breached.events[0]!.payload).toMatchObject({
      ticketId: created.id, kind: 'first_response', cycle: 1, dueAt: job.at, urgency: 3,
      escalations: [{ action: 'notify', outcome: 'done' }, { action: 'raise_urgency', outcome: 'done' }],
    });
    const ticket = await w.ticket(created.id);
    expect(ticket.urgency).toBe(3); // raised once, from urgent to critical
    const activity = (await w.api('GET', `/tickets/${created.id}/activity`)).json().activity;
    expect(activity.filter((a: { action: string; actorType: string }) => a.action === 'ticket.updated' && a.actorType === 'system')).toHaveLength(1);
    const clock = await w.clockOf(created.id, 'first_response');
    expect(clock.breachedAt).toBe(shanghai('2026-11-23T14:30:00').toISOString());
    // Unassigned, so the admins hear of it: one notification, in the admin's language.
    const notifications = (await w.api('GET', '/sla/notifications')).json().notifications;
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({ ticketId: created.id, phase: 'breach', kind: 'first_response' });
    expect(notifications[0].subject).toContain(`#${created.number}`);
    // The warning was overtaken by the breach: it no longer fires.
    expect(clock.warnedAt).toBeNull();
  });

  it('warns once before the deadline', async () => {
    const { w, created, clock } = await overdueTicket('sla-warn');
    const warned = record('sla.warned');
    t.clock.set(shanghai('2026-11-23T13:40:00'));
    await t.services.sla.sweepWorkspace(w.ws.id);
    await t.services.sla.sweepWorkspace(w.ws.id);
    await t.jobs.drain();
    await t.jobs.send(SLA_JOBS.check, { workspaceId: w.ws.id, ticketId: created.id, clockId: clock.id, phase: 'warning', at: clock.warnAt });
    await t.jobs.drain();
    warned.stop();
    expect(warned.events).toHaveLength(1);
    expect(warned.events[0]!.payload).toMatchObject({ ticketId: created.id, kind: 'first_response' });
    expect((await w.ticket(created.id)).urgency).toBe(2);
    expect((await w.clockOf(created.id, 'first_response')).warnedAt).toBe(shanghai('2026-11-23T13:40:00').toISOString());
  });

  it('does not breach a clock that was met, paused or moved since the job was scheduled', async () => {
    const { w, created, job } = await overdueTicket('sla-met');
    await w.agentReply(created.id, shanghai('2026-11-23T13:00:00'));
    const breached = record('sla.breached');
    t.clock.set(shanghai('2026-11-23T14:30:00'));
    await t.jobs.send(SLA_JOBS.check, job);
    await t.jobs.drain();
    await t.services.sla.sweepWorkspace(w.ws.id);
    await t.jobs.drain();
    breached.stop();
    expect(breached.events).toHaveLength(0);
    expect((await w.ticket(created.id)).urgency).toBe(2);
  });

  it('finishes an escalation interrupted halfway, without repeating the steps already done', async () => {
    const { w, created, job } = await overdueTicket('sla-crash');
    const breached = record('sla.breached');
    // The first attempt dies while raising the urgency (after the notification was written).
    const update = vi.spyOn(t.services.tickets, 'update').mockRejectedValueOnce(new Error('connection terminated unexpectedly'));
    t.clock.set(shanghai('2026-11-23T14:30:00'));
    await t.jobs.send(SLA_JOBS.check, job);
    await t.jobs.drain(); // the inline queue retries at once
    update.mockRestore();
    breached.stop();
    expect(breached.events).toHaveLength(1);
    expect((await w.ticket(created.id)).urgency).toBe(3);
    expect((await w.api('GET', '/sla/notifications')).json().notifications).toHaveLength(1);
    const steps = await t.services.sla.escalations(w.ws.id, created.id);
    expect(steps.map((s) => `${s.action.type}:${s.outcome}`)).toEqual(['notify:done', 'raise_urgency:done', 'event:done']);
  });

  it('reassigns on breach when the policy says so, and records a refusal instead of retrying it', async () => {
    const w = await workspace('sla-reassign');
    const lead = await t.services.accounts.createAgent(w.ws.id, { email: 'lead@sla-reassign.example', name: 'Team lead', role: 'agent', password: 'lead-password-1' }, SYSTEM);
    const policy = await w.policyFor(2);
    const res = await w.api('PATCH', `/sla/policies/${policy.id}`, { escalations: [{ on: 'breach', action: 'reassign', agentId: lead.id, targets: ['first_response'] }] });
    expect(res.statusCode, res.body).toBe(200);
    const created = await w.open(shanghai('2026-11-23T10:00:00'));
    t.clock.set(shanghai('2026-11-23T14:01:00'));
    await t.services.sla.sweepWorkspace(w.ws.id);
    // The clock's own check job (its deadline passed in real time long ago) may hold the escalation: wait for it too.
    await t.jobs.drain();
    expect((await w.ticket(created.id)).assigneeId).toBe(lead.id);

    // The same rule for a second ticket, but the lead has left meanwhile: recorded as failed, once.
    const second = await w.open(shanghai('2026-11-23T10:30:00'));
    await t.services.accounts.updateAgent(w.ws.id, lead.id, { disabled: true }, SYSTEM);
    await t.jobs.drain();
    t.clock.set(shanghai('2026-11-23T14:31:00'));
    await t.services.sla.sweepWorkspace(w.ws.id);
    await t.services.sla.sweepWorkspace(w.ws.id);
    await t.jobs.drain();
    const steps = await t.services.sla.escalations(w.ws.id, second.id);
    expect(steps.map((s) => `${s.action.type}:${s.outcome}:${s.error_code}`)).toEqual(['reassign:failed:ASSIGNEE_UNKNOWN', 'event:done:null']);
  });
});

describe('expected first response (shown on the contact form)', () => {
  it('answers from the policy and the business hours, or null without a target', async () => {
    const w = await workspace('sla-expected');
    expect(await t.services.sla.expectedFirstResponse(w.ws.id, { urgency: 2 }, shanghai('2026-11-27T17:30:00')))
      .toEqual({ dueAt: shanghai('2026-11-30T12:30:00'), businessMinutes: 240 });
    expect(await t.services.sla.expectedFirstResponse(w.ws.id, { urgency: 0 }, shanghai('2026-11-27T17:30:00'))).toBeNull();
    const service = (await t.services.tickets.departments(w.ws.id)).find((d) => d.key === 'service')!;
    await t.services.sla.createPolicy(w.ws.id, { name: 'Service normal', urgency: 1, departmentId: service.id, firstResponseMinutes: 120, nextResponseMinutes: null, resolutionMinutes: null });
    expect(await t.services.sla.expectedFirstResponse(w.ws.id, { urgency: 1, departmentId: service.id }, shanghai('2026-11-23T10:00:00')))
      .toEqual({ dueAt: shanghai('2026-11-23T12:00:00'), businessMinutes: 120 });
    expect(await t.services.sla.expectedFirstResponse(w.ws.id, { urgency: 1, departmentId: null }, shanghai('2026-11-23T10:00:00')))
      .toEqual({ dueAt: shanghai('2026-11-24T10:00:00'), businessMinutes: 540 });
  });
});
