import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { inOneTransaction } from '../../../core/db/database.js';
import type { BatchedHandler, DomainEvent } from '../../../core/events/index.js';
import { createDatabaseQueue, type DatabaseJobQueue } from '../../../core/jobs/index.js';
import { createLogger } from '../../../core/logger.js';
import { Tenancy } from '../../../core/tenancy.js';
import type { Urgency } from '../../tickets/index.js';
import { SlaRepo } from '../sla.repo.js';
import { SlaService } from '../sla.service.js';
import { statementsOf } from '../../../../test/helpers/statements.js';

/**
 * `sla:ticket.created` handles a subscriber's batch of new tickets set-based (`batch`): it must
 * leave exactly what `each` leaves, event by event, in a statement count that does not grow with
 * the batch. The service under test sends its checks to a database queue of its own (no workers),
 * on both drivers, so its jobs are rows to compare.
 */
let t: TestApp;
let jobs: DatabaseJobQueue;
beforeAll(async () => {
  t = await createTestApp();
  jobs = createDatabaseQueue({ connectionString: t.database.url, log: createLogger('silent'), fireSchedules: false });
  await jobs.start();
});
afterAll(async () => {
  await jobs?.stop({ graceful: false });
  await t.close();
});

const SYSTEM = { type: 'system' as const, id: null };
/** Monday 09:00 in Shanghai, years ahead: no check sent here falls due while the tests run. */
const MONDAY = new Date('2030-03-04T09:00:00+08:00');

/** A service of its own: settings read fresh, checks to `jobs`. */
async function slaService(): Promise<SlaService> {
  return new SlaService(new SlaRepo(t.database.db, await Tenancy.load(t.database.db)), t.services.tickets, t.services.accounts, t.bus, jobs, t.clock);
}

/** The SLA's set-based handler of one event and its one-by-one twin. */
function handlerOf<K extends 'ticket.created' | 'ticket.updated' | 'message.created'>(sla: SlaService, type: K): BatchedHandler<K> {
  const subscription = sla.subscriptions()[type];
  if (!subscription || typeof subscription === 'function') throw new Error(`${type} has no batch handler`);
  return subscription as BatchedHandler<K>;
}
const ticketCreated = (sla: SlaService) => handlerOf(sla, 'ticket.created');

const created = (workspaceId: string, ticketId: string) => ({
  id: randomUUID(), type: 'ticket.created', workspaceId, payload: { ticket: { id: ticketId } }, occurredAt: MONDAY.toISOString(),
}) as unknown as DomainEvent<'ticket.created'>;

async function open(workspaceId: string, urgency: Urgency, minutesAfterNine: number): Promise<string> {
  t.clock.set(new Date(MONDAY.getTime() + minutesAfterNine * 60_000));
  const ticket = await t.services.tickets.open(workspaceId, {
    subject: `Printer offline (${urgency})`, body: 'It says offline.', channel: 'web', customer: { email: `li-${urgency}@example.com`, name: 'Li' }, urgency,
  }, SYSTEM);
  return ticket.id;
}

/** The new tickets as if no SLA subscriber had seen them yet: no state, no clocks, no deadlines, no checks. */
async function forgetSync(newTickets: readonly string[], allTickets: readonly string[]): Promise<void> {
  await t.jobs.drain(); // the app's own subscribers are done with them
  await t.database.pool.query('delete from sla_clocks where ticket_id = any($1)', [newTickets]);
  await t.database.pool.query('delete from sla_ticket_states where ticket_id = any($1)', [newTickets]);
  await t.database.pool.query('update tickets set first_response_due_at = null, next_response_due_at = null, resolution_due_at = null where id = any($1)', [newTickets]);
  await t.database.pool.query(`delete from pgboss.job where name = 'sla.check' and data->>'ticketId' = any($1)`, [allTickets]);
}

/** What a ticket's SLA sync leaves: states, clocks, the ticket's deadlines, the check jobs. */
async function slaRows(ticketIds: readonly string[]) {
  const rows = async (text: string) => (await t.database.pool.query(text, [ticketIds])).rows;
  return {
    states: await rows(`select ticket_id, policy_id, status, paused_since, pauses, first_responded_at, version, updated_at
      from sla_ticket_states where ticket_id = any($1) order by ticket_id`),
    clocks: await rows(`select ticket_id, kind, cycle, started_at, target_minutes, due_at, warn_at, stopped_at, outcome, business_minutes, warned_at, breached_at
      from sla_clocks where ticket_id = any($1) order by ticket_id, kind, cycle`),
    deadlines: await rows(`select id, first_response_due_at, next_response_due_at, resolution_due_at from tickets where id = any($1) order by id`),
    checks: await rows(`select name, data, start_after, singleton_key, state, retry_limit, retry_delay, retry_backoff, policy
      from pgboss.job where name = 'sla.check' and data->>'ticketId' = any($1) order by singleton_key`),
  };
}


describe('a batch of new tickets (sla:ticket.created, set-based)', () => {
  it('leaves the states, clocks, deadlines and checks that handling each event leaves, over two workspaces and a redelivery', async () => {
    // Two workspaces, two sets of policies: one warns 15 minutes ahead with a 60-minute target, the other keeps the defaults.
    const a = await t.addWorkspace('sla-batch-a');
    const b = await t.addWorkspace('sla-batch-b');
    const urgentOfA = (await t.services.sla.policies(a.id)).find((p) => p.urgency === 2 && !p.department_id)!;
    await t.services.sla.updatePolicy(a.id, urgentOfA.id, { firstResponseMinutes: 60, warningMinutes: 15 });
    const a1 = await open(a.id, 2, 0);
    const a2 = await open(a.id, 3, 5);
    const aThanks = await open(a.id, 0, 10); // no targets: no deadlines, no check
    const b1 = await open(b.id, 1, 15);
    const b2 = await open(b.id, 4, 20);
    // Its state saved already, and its deadlines overwritten since: a redelivered event, which `sync` puts right.
    const redelivered = await open(a.id, 2, 25);
    const fresh = [a1, a2, aThanks, b1, b2];
    const all = [...fresh, redelivered];
    const events = [
      created(a.id, a1), created(b.id, b1), created(a.id, a2), created(a.id, redelivered), created(b.id, b2), created(a.id, aThanks),
      // The unusual: a ticket's event twice, a ticket of another workspace (left alone in this one's scope), a ticket that is not there.
      created(a.id, a1), created(a.id, b1), created(b.id, randomUUID()),
    ];
    await t.jobs.drain(); // the app's own subscribers have synced them (on the durable drivers, after the commit)
    const { version } = (await t.database.pool.query('select version from sla_ticket_states where ticket_id = $1', [redelivered])).rows[0];
    const asBefore = async () => {
      await forgetSync(fresh, all);
      await t.database.pool.query('update sla_ticket_states set version = $2 where ticket_id = $1', [redelivered, version]);
      await t.services.tickets.setDeadlines(a.id, [{ ticketId: redelivered, firstResponse: new Date('2031-01-01T00:00:00Z'), nextResponse: null, resolution: null }], t.database.db);
      t.clock.set(new Date(MONDAY.getTime() + 60 * 60_000));
    };

    await asBefore();
    const oneByOne = ticketCreated(await slaService());
    for (const event of events) await oneByOne.each(event);
    const byEach = await slaRows(all);

    await asBefore();
    const together = ticketCreated(await slaService());
    await inOneTransaction(() => together.batch(events));
    const byBatch = await slaRows(all);

    expect(byBatch).toEqual(byEach);
    // …and both are what a new ticket's sync makes, so the comparison compares something.
    expect(byEach.states).toHaveLength(6);
    expect(byEach.clocks.filter((c) => fresh.includes(c.ticket_id)).map((c) => c.kind).sort())
      .toEqual(Array.from({ length: 5 }, () => ['first_response', 'resolution']).flat().sort());
    const dueOf = (id: string) => byEach.deadlines.find((d) => d.id === id)!;
    expect(dueOf(a1).first_response_due_at).toEqual(new Date('2030-03-04T10:00:00+08:00'));
    expect(byEach.clocks.find((c) => c.ticket_id === a1 && c.kind === 'first_response')!.warn_at).toEqual(new Date('2030-03-04T09:45:00+08:00'));
    expect(dueOf(b1).first_response_due_at).toEqual(new Date('2030-03-05T09:15:00+08:00')); // normal: 540 business minutes
    expect(dueOf(aThanks)).toMatchObject({ first_response_due_at: null, resolution_due_at: null });
    expect(dueOf(redelivered).first_response_due_at).toEqual(new Date('2030-03-04T10:25:00+08:00'));
    // One check per new ticket with a target, at its first warning or deadline; none for the redelivery, whose check was sent before.
    expect(byEach.checks.map((c) => c.data.ticketId).sort()).toEqual([a1, a2, b1, b2].sort());
    expect(byEach.checks.find((c) => c.data.ticketId === a1)).toMatchObject({
      singleton_key: `sla.check:${a1}:2030-03-04T01:45:00.000Z`, start_after: new Date('2030-03-04T09:45:00+08:00'), state: 'created',
    });
  });

  it('costs the same few statements for 3 new tickets as for 12, far fewer than one by one', async () => {
    const w = await t.addWorkspace('sla-batch-count');
    const tickets: string[] = [];
    for (let i = 0; i < 16; i++) tickets.push(await open(w.id, ((i % 4) + 1) as Urgency, i));
    await forgetSync(tickets, tickets);
    t.clock.set(new Date(MONDAY.getTime() + 60 * 60_000));
    const service = await slaService();
    const sla = ticketCreated(service);
    // The queue known, as on a busy node (its first send may wait for other processes creating queues).
    await inOneTransaction(() => sla.batch([created(w.id, tickets[0]!)]));
    // The settings read just before each count: they are kept 10 s of real time, which a loaded box
    // may spend between one count and the next.
    const cachedSettings = () => service.policies(w.id);

    const batchOf = async (ids: string[]) => {
      await cachedSettings();
      return (await statementsOf(() => inOneTransaction(() => sla.batch(ids.map((id) => created(w.id, id)))))).length;
    };
    const three = await batchOf(tickets.slice(1, 4));
    const twelve = await batchOf(tickets.slice(4, 16));
    // BEGIN, the tickets, their states, their clocks, their deadlines, their checks, COMMIT.
    expect(three).toBe(7);
    expect(twelve).toBe(three);
    expect((await slaRows(tickets)).checks).toHaveLength(16);

    // The same twelve one by one: five statements each (the ticket, its state, its clocks, its deadlines, its check).
    await forgetSync(tickets.slice(4, 16), tickets.slice(4, 16));
    await cachedSettings();
    const oneByOne = (await statementsOf(() => inOneTransaction(async () => {
      for (const id of tickets.slice(4, 16)) await sla.each(created(w.id, id));
    }))).length;
    expect(oneByOne).toBeGreaterThanOrEqual(12 * 5);
  });

  it('changes nothing and sends no second check when the same batch comes again', async () => {
    const w = await t.addWorkspace('sla-batch-again');
    const tickets = [await open(w.id, 2, 0), await open(w.id, 3, 1), await open(w.id, 1, 2)];
    await forgetSync(tickets, tickets);
    t.clock.set(new Date(MONDAY.getTime() + 60 * 60_000));
    const sla = ticketCreated(await slaService());
    const events = tickets.map((id) => created(w.id, id));
    await inOneTransaction(() => sla.batch(events));
    const first = await slaRows(tickets);
    expect(first.checks).toHaveLength(3);

    t.clock.set(new Date(MONDAY.getTime() + 90 * 60_000));
    await inOneTransaction(() => sla.batch(events));
    expect(await slaRows(tickets)).toEqual(first);
  });

  it('leaves nothing of a batch that fails: its states, clocks, deadlines and checks roll back with it', async () => {
    const w = await t.addWorkspace('sla-batch-fails');
    const tickets = [await open(w.id, 2, 0), await open(w.id, 3, 1)];
    await forgetSync(tickets, tickets);
    const sla = ticketCreated(await slaService());
    await expect(inOneTransaction(async () => {
      await sla.batch(tickets.map((id) => created(w.id, id)));
      throw new Error('a later handler of the batch fails');
    })).rejects.toThrow('a later handler of the batch fails');
    expect(await slaRows(tickets)).toMatchObject({ states: [], clocks: [], checks: [] });
  });
});

type Change = { status?: [string, string]; departmentId?: [string | null, string | null]; urgency?: [number, number] };
const updated = (workspaceId: string, ticket: { id: string; urgency: number; departmentId: string | null }, changes: Change) => ({
  id: randomUUID(), type: 'ticket.updated', workspaceId, payload: { ticket, changes }, occurredAt: MONDAY.toISOString(),
}) as unknown as DomainEvent<'ticket.updated'>;
const replied = (workspaceId: string, ticketId: string, authorType: 'agent' | 'customer') => ({
  id: randomUUID(), type: 'message.created', workspaceId, occurredAt: MONDAY.toISOString(),
  payload: { ticketId, messageId: randomUUID(), kind: 'reply', authorType, channel: 'web' },
}) as unknown as DomainEvent<'message.created'>;

/** The SLA rows of these tickets as they are now, and a way back to them (their check jobs gone). */
async function slaSnapshot(ticketIds: readonly string[]): Promise<() => Promise<void>> {
  const { rows: states } = await t.database.pool.query('select * from sla_ticket_states where ticket_id = any($1)', [ticketIds]);
  const { rows: clocks } = await t.database.pool.query('select * from sla_clocks where ticket_id = any($1)', [ticketIds]);
  const { rows: deadlines } = await t.database.pool.query('select id, first_response_due_at, next_response_due_at, resolution_due_at from tickets where id = any($1)', [ticketIds]);
  return async () => {
    await t.database.pool.query('delete from sla_clocks where ticket_id = any($1)', [ticketIds]);
    await t.database.pool.query('delete from sla_ticket_states where ticket_id = any($1)', [ticketIds]);
    await t.database.pool.query('insert into sla_ticket_states select * from json_populate_recordset(null::sla_ticket_states, $1)', [JSON.stringify(states)]);
    await t.database.pool.query('insert into sla_clocks select * from json_populate_recordset(null::sla_clocks, $1)', [JSON.stringify(clocks)]);
    await t.database.pool.query(`update tickets set first_response_due_at = d.first_response_due_at, next_response_due_at = d.next_response_due_at,
      resolution_due_at = d.resolution_due_at from json_populate_recordset(null::tickets, $1) d where tickets.id = d.id`, [JSON.stringify(deadlines)]);
    await t.database.pool.query(`delete from pgboss.job where name = 'sla.check' and data->>'ticketId' = any($1)`, [ticketIds]);
  };
}

describe('a batch of changed tickets and replies (sla:ticket.updated, sla:message.created, set-based)', () => {
  /** A workspace whose urgent tickets of one department answer within 30 minutes, 240 elsewhere; six tickets synced by the app. */
  async function moved(slug: string) {
    const w = await t.addWorkspace(slug);
    const vip = (await t.services.tickets.departments(w.id))[0]!;
    await t.services.sla.createPolicy(w.id, { name: 'VIP urgent', urgency: 2, departmentId: vip.id, firstResponseMinutes: 30, nextResponseMinutes: 60, resolutionMinutes: 480, warningMinutes: 10 });
    const tickets: string[] = [];
    for (let i = 0; i < 6; i++) tickets.push(await open(w.id, 2, i));
    await t.jobs.drain();
    // What changed since, without the events that say so: three moved to the VIP team, one waits on the customer, one solved.
    t.clock.set(new Date(MONDAY.getTime() + 20 * 60_000));
    await t.database.pool.query('update tickets set department_id = $2 where id = any($1)', [tickets.slice(0, 3), vip.id]);
    await t.database.pool.query(`update tickets set status = 'pending', updated_at = $2 where id = $1`, [tickets[3], t.clock.now()]);
    await t.database.pool.query(`update tickets set status = 'solved', updated_at = $2 where id = $1`, [tickets[4], t.clock.now()]);
    const summary = (id: string, departmentId: string | null) => ({ id, urgency: 2, departmentId });
    const moves = tickets.slice(0, 3).map((id) => updated(w.id, summary(id, vip.id), { departmentId: [null, vip.id] }));
    return { w, vip, tickets, moves, summary };
  }

  it('leaves the states, clocks, deadlines and checks that handling each event leaves', async () => {
    const { w, tickets, moves, summary } = await moved('sla-batch-moves');
    const other = await t.addWorkspace('sla-batch-moves-other');
    const changes = [
      ...moves,
      updated(w.id, summary(tickets[3]!, null), { status: ['open', 'pending'] }),
      updated(w.id, summary(tickets[4]!, null), { status: ['open', 'solved'] }),
      updated(w.id, summary(tickets[5]!, null), { urgency: [1, 2] }), // the same policy either way: no sync
      moves[0]!, // a ticket's event twice
      updated(other.id, summary(tickets[0]!, null), { status: ['open', 'pending'] }), // another workspace's scope: not its ticket
    ];
    const replies = [replied(w.id, tickets[0]!, 'agent'), replied(w.id, tickets[5]!, 'agent'), replied(w.id, tickets[5]!, 'customer'), replied(w.id, randomUUID(), 'agent')];
    const back = await slaSnapshot(tickets);
    // One ticket lost its state meanwhile: `sync` makes it a first one.
    const asBefore = async () => {
      await back();
      await t.database.pool.query('delete from sla_clocks where ticket_id = $1', [tickets[1]]);
      await t.database.pool.query('delete from sla_ticket_states where ticket_id = $1', [tickets[1]]);
      t.clock.set(new Date(MONDAY.getTime() + 25 * 60_000));
    };

    await asBefore();
    const oneByOne = await slaService();
    for (const event of changes) await handlerOf(oneByOne, 'ticket.updated').each(event);
    for (const event of replies) await handlerOf(oneByOne, 'message.created').each(event);
    const byEach = await slaRows(tickets);

    await asBefore();
    const together = await slaService();
    await inOneTransaction(() => handlerOf(together, 'ticket.updated').batch(changes));
    await inOneTransaction(() => handlerOf(together, 'message.created').batch(replies));
    const byBatch = await slaRows(tickets);

    expect(byBatch).toEqual(byEach);
    // …and what both left is what the changes mean, so the comparison compares something.
    const dueOf = (id: string) => byEach.deadlines.find((d) => d.id === id)!;
    expect(dueOf(tickets[2]!).first_response_due_at).toEqual(new Date('2030-03-04T09:32:00+08:00')); // opened 09:02, VIP: 30 minutes
    expect(byEach.states.find((s) => s.ticket_id === tickets[3])!.paused_since).toEqual(new Date('2030-03-04T09:20:00+08:00'));
    expect(byEach.states.find((s) => s.ticket_id === tickets[4])!.status).toBe('solved');
    expect(byEach.clocks.filter((c) => c.ticket_id === tickets[5] && c.kind === 'first_response').map((c) => c.outcome)).toEqual(['met']);
    expect(byEach.states.find((s) => s.ticket_id === tickets[1])).toMatchObject({ version: 1 });
    expect(byEach.checks.map((c) => c.data.ticketId)).toContain(tickets[2]);
  });

  it('costs the same few statements for 3 moved tickets as for 12, far fewer than one by one', async () => {
    const w = await t.addWorkspace('sla-batch-moves-count');
    const vip = (await t.services.tickets.departments(w.id))[0]!;
    await t.services.sla.createPolicy(w.id, { name: 'VIP urgent', urgency: 2, departmentId: vip.id, firstResponseMinutes: 30, nextResponseMinutes: 60, resolutionMinutes: 480 });
    const tickets: string[] = [];
    for (let i = 0; i < 16; i++) tickets.push(await open(w.id, 2, i));
    await t.jobs.drain();
    await t.database.pool.query('update tickets set department_id = $2 where id = any($1)', [tickets, vip.id]);
    const back = await slaSnapshot(tickets);
    await back();
    t.clock.set(new Date(MONDAY.getTime() + 20 * 60_000));
    const service = await slaService();
    const sla = handlerOf(service, 'ticket.updated');
    const moveOf = (id: string) => updated(w.id, { id, urgency: 2, departmentId: vip.id }, { departmentId: [null, vip.id] });
    await inOneTransaction(() => sla.batch([moveOf(tickets[0]!)]));
    const batchOf = async (ids: string[]) => {
      await service.policies(w.id); // the settings cached, as on a busy node
      return (await statementsOf(() => inOneTransaction(() => sla.batch(ids.map(moveOf))))).length;
    };
    const three = await batchOf(tickets.slice(1, 4));
    const twelve = await batchOf(tickets.slice(4, 16));
    // BEGIN, states with clocks, the tickets, the states saved, their clocks, their deadlines, their checks, COMMIT.
    expect(three).toBe(8);
    expect(twelve).toBe(three);
    expect((await t.database.pool.query('select count(*)::int as n from tickets where id = any($1) and first_response_due_at is not null', [tickets])).rows[0].n).toBe(16);

    await back();
    await service.policies(w.id);
    const oneByOne = (await statementsOf(() => inOneTransaction(async () => {
      for (const id of tickets.slice(4, 16)) await sla.each(moveOf(id));
    }))).length;
    expect(oneByOne).toBeGreaterThanOrEqual(12 * 5);
  });

  it('syncs one by one a ticket whose state another save changed between the read and the save', async () => {
    const { tickets, moves } = await moved('sla-batch-moves-race');
    // Another node saves the first ticket's state just after the batch read it: the batch's save of it finds another version.
    class RacedRepo extends SlaRepo {
      override async saveStates(...args: Parameters<SlaRepo['saveStates']>) {
        await t.database.pool.query('update sla_ticket_states set version = version + 1 where ticket_id = $1', [tickets[0]]);
        return super.saveStates(...args);
      }
    }
    const service = new SlaService(new RacedRepo(t.database.db, await Tenancy.load(t.database.db)), t.services.tickets, t.services.accounts, t.bus, jobs, t.clock);
    await inOneTransaction(() => handlerOf(service, 'ticket.updated').batch(moves));
    const rows = await slaRows(tickets.slice(0, 3));
    // Each of the three shows its VIP deadline (opened at 09:00, 09:01, 09:02; 30 minutes), the raced one too: `sync` read it again and saved it.
    for (const [i, id] of tickets.slice(0, 3).entries()) {
      expect(rows.deadlines.find((d) => d.id === id)!.first_response_due_at, `ticket ${i}`).toEqual(new Date(MONDAY.getTime() + (i + 30) * 60_000));
    }
    // The raced ticket: the app's first save (1), the other node's (2), `sync`'s (3).
    expect(rows.states.find((s) => s.ticket_id === tickets[0])!.version).toBe(3);
  });
});
