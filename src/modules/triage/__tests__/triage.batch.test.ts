import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../../../../test/helpers/app.js';
import { countCheckouts } from '../../../../test/helpers/pool-checkouts.js';
import { inOneTransaction } from '../../../core/db/database.js';
import type { BatchedHandler, DomainEvent } from '../../../core/events/index.js';
import { platformModules } from '../../../services.js';
import { triageModule } from '../index.js';

/**
 * `triage:ticket.created` handed a batch of events (the outbox bus' set-based handler): it must
 * leave exactly what its per-event handler leaves on the same events in log order, whatever the
 * batch holds, and its reads must not grow with the number of tickets.
 */
let t: TestApp;
let handler: BatchedHandler<'ticket.created'>;
const SYSTEM = { type: 'system' as const, id: null };

beforeAll(async () => {
  // Triage subscribes to nothing here: the tests hand the events to its handlers themselves.
  t = await createTestApp({}, { modules: platformModules.map((m) => (m.name === 'triage' ? { ...m, subscriptions: undefined } : m)) });
  handler = triageModule.subscriptions!(t.services, t.jobs)['ticket.created'] as BatchedHandler<'ticket.created'>;
});
afterAll(async () => { await t?.close(); });

const departmentsOf = async (ws: TestWorkspace) => Object.fromEntries((await t.services.tickets.departments(ws.id)).map((d) => [d.key, d.id]));

/** A ticket by the API (no web-form acknowledgement, which would triage it first) and its `ticket.created`. */
async function open(ws: TestWorkspace, email: string, subject: string, body = `${subject}, please help.`): Promise<DomainEvent<'ticket.created'>> {
  const opened = await t.services.tickets.open(ws.id, { subject, body, channel: 'api', customer: { email, name: email } }, SYSTEM);
  const ticket = await t.services.tickets.ticket(ws.id, opened.id);
  const [message] = await t.services.tickets.thread(ws.id, ticket.id, { includeNotes: false });
  return {
    id: `created-${ticket.id}`, type: 'ticket.created', workspaceId: ws.id, occurredAt: ticket.created_at.toISOString(),
    payload: {
      ticket: {
        id: ticket.id, number: ticket.number, subject: ticket.subject, status: ticket.status, urgency: ticket.urgency, departmentId: ticket.department_id,
        assigneeId: ticket.assignee_id, customerId: ticket.customer_id, channel: ticket.channel, createdAt: ticket.created_at.toISOString(), updatedAt: ticket.updated_at.toISOString(),
      },
      messageId: message!.id,
    },
  };
}

/** What triage leaves on these tickets: decisions (but their time), the tickets' fields, activity lines and queued notices. */
async function leftOn(ticketIds: string[]) {
  const db = t.database.db;
  const decisions = await db.selectFrom('triage_decisions').selectAll().where('ticket_id', 'in', ticketIds).orderBy('ticket_id').execute();
  return {
    decisions: decisions.map(({ decided_at: _decidedAt, ...row }) => row),
    tickets: await db.selectFrom('tickets').select(['id', 'department_id', 'urgency', 'tags', 'status', 'assignee_id', 'merged_into_id'])
      .where('id', 'in', ticketIds).orderBy('id').execute(),
    activity: await db.selectFrom('ticket_activity').select(['ticket_id', 'action', (eb) => eb.fn.countAll<string>().as('lines')])
      .where('ticket_id', 'in', ticketIds).groupBy(['ticket_id', 'action']).orderBy('ticket_id').orderBy('action').execute(),
    // Keyed `triage.notify:<ticket>:<agent>`.
    notices: (await db.selectFrom('mail_outbox').select('idempotency_key').where('template', '=', 'triageRuleNotice').execute())
      .map((m) => m.idempotency_key!).filter((key) => ticketIds.some((id) => key.includes(id))).sort(),
  };
}

class RolledBack extends Error {}

/**
 * What `work` leaves, seen inside its one transaction as a batch's (before other subscribers see
 * its events); `rollBack` undoes it then, so the same tickets can be decided again another way.
 */
async function leftBy(work: () => Promise<void>, ticketIds: string[], { rollBack }: { rollBack: boolean }) {
  let left: Awaited<ReturnType<typeof leftOn>> | undefined;
  await inOneTransaction(async () => {
    await work();
    left = await leftOn(ticketIds);
    if (rollBack) throw new RolledBack();
  }).catch((error: unknown) => {
    if (!(error instanceof RolledBack)) throw error;
  });
  return left!;
}

const eachInOrder = async (events: readonly DomainEvent<'ticket.created'>[]) => {
  for (const event of events) await handler.each(event);
};

describe('triage of a batch of new tickets', () => {
  it('leaves what the per-event handler leaves, over two workspaces, rules, a model, spam, duplicates, one customer twice and a redelivery', async () => {
    const a = await t.addWorkspace('batch-rules');
    const b = await t.addWorkspace('batch-model');
    const da = await departmentsOf(a);
    const db = await departmentsOf(b);
    await t.services.triage.createRule(a.id, {
      name: 'invoices', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['invoice', '发票'], match: 'any' }],
      actions: [{ type: 'setDepartment', departmentId: da.finance! }, { type: 'setUrgency', urgency: 3 }, { type: 'addTags', tags: ['billing'] }],
    });
    await t.services.triage.createRule(a.id, {
      name: 'lottery', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['lottery'], match: 'any' }], actions: [{ type: 'markSpam' }],
    });
    await t.services.triage.createRule(a.id, {
      name: 'refunds', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['refund'], match: 'any' }], actions: [{ type: 'assignAgent', agentId: a.admin.id }],
    });
    await t.services.triage.createRule(a.id, {
      name: 'outages', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['outage'], match: 'any' }], actions: [{ type: 'notify', agentId: null }],
    });
    await t.services.triage.createRule(a.id, {
      name: 'vip', enabled: true, conditions: [{ type: 'customerTags', in: ['vip'] }], actions: [{ type: 'addTags', tags: ['vip-customer'] }],
    });
    const automations = await t.services.triage.automations.settings(a.id);
    await t.services.triage.automations.saveSettings(a.id, { ...automations, duplicates: { enabled: true, windowMinutes: 60 } }, SYSTEM);
    await t.services.customers.create(a.id, {
      name: 'Vip', email: 'vip@customer.example', locale: 'en', timeZone: null, companyId: null, address: null, tags: ['vip'], attributes: {}, identities: [],
    }, SYSTEM);

    // A model for workspace B, trained on tickets agents solved.
    for (const [key, subject] of [['finance', 'Invoice is wrong'], ['finance', 'Refund not received'], ['finance', 'Payment by bank transfer'],
      ['service', 'Paper jam'], ['service', 'Printer offline'], ['service', 'Faint prints']] as const) {
      const settled = await t.services.tickets.open(b.id, { subject, body: `${subject}, please.`, channel: 'api', customer: { email: 'history@customer.example', name: 'H' }, departmentKey: key }, SYSTEM);
      await t.services.tickets.update(b.id, settled.id, { status: 'solved' }, { type: 'agent', id: b.admin.id });
    }
    expect((await t.services.triage.train(b.id)).map((m) => m.target)).toContain('department');
    await t.services.triage.saveSettings(b.id, { autoApplyThreshold: 0 });

    // Decided before the batch: its event comes again in it (a redelivery).
    const redelivered = await open(a, 'again@customer.example', 'My invoice is wrong');
    await handler.each(redelivered);
    await t.services.tickets.update(a.id, redelivered.payload.ticket.id, { departmentId: da.service! }, { type: 'agent', id: a.admin.id });
    // Opened before the batch: a ticket of the batch repeats it.
    const first = (await open(a, 'repeat@customer.example', 'Printer broken', 'It does not print.')).payload.ticket.id;
    const events = [
      await open(a, 'ann@customer.example', 'Invoice question'),
      await open(b, 'bo@customer.example', 'My printer has a paper jam'),
      await open(a, 'plain@customer.example', 'Hello there'),
      await open(a, 'winner@spam.example', 'You won the lottery'),
      await open(b, 'cy@customer.example', 'Wrong invoice amount'),
      await open(a, 'twice@customer.example', 'Printer jam', 'The printer jams.'),
      redelivered,
      await open(a, 'repeat@customer.example', 'Printer broken', 'It does not print.'),
      await open(a, 'twice@customer.example', 'Printer jam', 'The printer jams.'),
      await open(a, 'refund@customer.example', 'Refund please'),
      await open(a, 'ops@customer.example', 'Outage since noon'),
      await open(a, 'vip@customer.example', 'A question'),
      await open(a, 'twice@customer.example', 'Also an invoice'),
      // The first is parked as spam (closed) before the second looks for what it repeats: not merged into it.
      await open(a, 'lucky@spam.example', 'Lottery win'),
      await open(a, 'lucky@spam.example', 'Lottery win'),
    ];
    await t.jobs.drain();
    const ids = [first, ...events.map((e) => e.payload.ticket.id)];
    const before = await leftOn(ids);

    const byBatch = await leftBy(() => handler.batch(events), ids, { rollBack: true });
    expect(await leftOn(ids)).toEqual(before);
    const byEach = await leftBy(() => eachInOrder(events), ids, { rollBack: false });
    expect(byBatch).toEqual(byEach);

    // What each case did (both ways, as they are equal).
    const ticket = (event: DomainEvent<'ticket.created'>) => byEach.tickets.find((row) => row.id === event.payload.ticket.id)!;
    const decision = (event: DomainEvent<'ticket.created'>) => byEach.decisions.find((row) => row.ticket_id === event.payload.ticket.id)!;
    const [invoice, jam, plain, lottery, invoiceB, twice1, , repeat, twice2, refund, outage, vip, twice3, lucky1, lucky2] = events as [DomainEvent<'ticket.created'>, ...DomainEvent<'ticket.created'>[]];
    expect(ticket(invoice)).toMatchObject({ department_id: da.finance, urgency: 3, tags: ['billing'] });
    expect(ticket(jam!).department_id).toBe(db.service);
    expect(decision(jam!)).toMatchObject({ department_source: 'model', department_applied: true });
    expect(ticket(invoiceB!).department_id).toBe(db.finance);
    expect(decision(plain!)).toMatchObject({ department_source: 'none', urgency_source: 'none', rule_ids: [] });
    expect(ticket(lottery!)).toMatchObject({ status: 'closed', tags: ['spam'] });
    expect(ticket(repeat!).merged_into_id).toBe(first);
    expect(ticket(twice2!).merged_into_id).toBe(twice1!.payload.ticket.id);
    expect(decision(twice2!).duplicate_of).toBe(twice1!.payload.ticket.id);
    expect(ticket(twice3!)).toMatchObject({ department_id: da.finance, tags: ['billing'], merged_into_id: null });
    expect(ticket(refund!).assignee_id).toBe(a.admin.id);
    expect(byEach.notices).toEqual([`triage.notify:${outage!.payload.ticket.id}:${a.admin.id}`]);
    expect(ticket(vip!).tags).toEqual(['vip-customer']);
    expect(ticket(redelivered).department_id).toBe(da.service);
    for (const lucky of [lucky1!, lucky2!]) expect(ticket(lucky)).toMatchObject({ status: 'closed', tags: ['spam'], merged_into_id: null });
    expect(byEach.decisions).toHaveLength(ids.length - 1);

    // Redelivered as a batch (once the other subscribers had the tickets' updates): nothing changes.
    await t.jobs.drain();
    const settled = await leftOn(ids);
    await inOneTransaction(() => handler.batch(events));
    await t.jobs.drain();
    expect(await leftOn(ids)).toEqual(settled);
  });

  it('reads in as many statements for 12 tickets as for 3, and a redelivered batch only looks its decisions up', async () => {
    const ws = await t.addWorkspace('batch-statements');
    await t.services.triage.createRule(ws.id, {
      name: 'invoices', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['invoice'], match: 'any' }], actions: [{ type: 'addTags', tags: ['billing'] }],
    });
    const automations = await t.services.triage.automations.settings(ws.id);
    await t.services.triage.automations.saveSettings(ws.id, { ...automations, duplicates: { enabled: true, windowMinutes: 60 } }, SYSTEM);
    const opened = [];
    for (let i = 0; i < 21; i++) opened.push(await open(ws, `customer-${i}@customer.example`, `Question ${i} about the printer`));
    await t.jobs.drain();
    const [three, twelve, eachThree, warmUps] = [opened.slice(0, 3), opened.slice(3, 15), opened.slice(15, 18), opened.slice(18)];
    // Before each count, the workspace's configuration and models as this node keeps them (read by a
    // batch of one new ticket): they are kept seconds of real time, which a loaded box may spend
    // between one count and the next.
    const statements = async (work: () => Promise<void>) => {
      await handler.batch([warmUps.shift()!]);
      return (await countCheckouts(t.database.pool, work)).checkouts;
    };

    const forThree = await statements(() => handler.batch(three));
    const forTwelve = await statements(() => handler.batch(twelve));
    // Stored decisions, openings, customers, duplicates' candidates, and the decisions stored.
    expect(forThree).toBe(5);
    expect(forTwelve).toBe(forThree);
    // One event at a time: the same five reads and writes, for each ticket.
    expect(await statements(() => eachInOrder(eachThree))).toBe(3 * 5);
    const decided = await t.database.db.selectFrom('triage_decisions').select('ticket_id').where('workspace_id', '=', ws.id).execute();
    expect(decided).toHaveLength(opened.length);

    // A redelivery reads no configuration: no warm-up.
    expect((await countCheckouts(t.database.pool, () => handler.batch(twelve))).checkouts).toBe(1);
  });
});
