import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inOneTransaction } from '../../../core/db/database.js';
import { createTestApp, type TestApp, type TestWorkspace } from '../../../../test/helpers/app.js';
import type { NewTicket } from '../tickets.service.js';
import { statementWaitsForLock, statementsOf } from '../../../../test/helpers/statements.js';

/**
 * Opening a ticket with the sender's own message id (a mail's Message-ID): the same id again (a
 * replay after a crash) opens nothing and finds the first ticket, with no read before the opening
 * on every other mail (issue 15).
 */
const system = { type: 'system' as const, id: null };
let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await createTestApp();
  ws = await t.addWorkspace('ticket-opening');
});
afterAll(async () => { await t.close(); });

const mail = (externalId?: string, overrides: Partial<NewTicket> = {}): NewTicket => ({
  subject: 'Invoice 2291 is wrong', body: 'The invoice lists two printers; we bought one.', channel: 'email',
  customer: { email: 'wang.fang@customer.example', name: '王芳' }, ...(externalId ? { externalId } : {}), ...overrides,
});

/** Rows of the workspace's tickets, messages and activity. */
async function rows() {
  const count = async (table: 'tickets' | 'ticket_messages' | 'ticket_activity') => Number((await t.database.db.selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', ws.id).executeTakeFirstOrThrow()).n);
  return { tickets: await count('tickets'), messages: await count('ticket_messages'), activity: await count('ticket_activity') };
}

describe('opening a ticket with an external id', () => {
  it('opens nothing for an external id seen before: alone it returns the first ticket; in an ambient transaction it undoes the scope', async () => {
    const externalId = `<${randomUUID()}@customer.example>`;
    const first = await t.services.tickets.openWithMessage(ws.id, mail(externalId), system);
    const before = await rows();
    const again = mail(externalId, { subject: 'Invoice 2291 (sent again)', body: 'Processed a second time after a crash.' });

    // The ticket as it is now (its subscribers may have set its deadlines since).
    const same = { id: first.ticket.id, number: first.ticket.number, subject: first.ticket.subject };
    expect(await t.services.tickets.open(ws.id, again, system)).toMatchObject(same);
    expect(await rows()).toEqual(before);

    expect(await t.services.tickets.openWithMessage(ws.id, again, system)).toMatchObject({ ticket: same, messageId: first.messageId });
    expect(await rows()).toEqual(before);

    // The scope's other work is undone with it, and the caller is told.
    const inOne = inOneTransaction(async () => {
      await t.services.tickets.open(ws.id, mail(`<${randomUUID()}@customer.example>`), system);
      return t.services.tickets.openWithMessage(ws.id, again, system);
    });
    await expect(inOne).rejects.toMatchObject({ code: 'MESSAGE_DUPLICATE' });
    expect(await rows()).toEqual(before);
  });

  it('returns the id of the message stored as the ticket\'s first', async () => {
    const externalId = `<${randomUUID()}@customer.example>`;
    const { ticket, messageId } = await t.services.tickets.openWithMessage(ws.id, mail(externalId), system);
    const thread = await t.services.tickets.thread(ws.id, ticket.id, { includeNotes: true });
    expect(thread.map((m) => [m.id, m.external_id])).toEqual([[messageId, externalId]]);

    const withoutId = await t.services.tickets.openWithMessage(ws.id, mail(), system);
    expect((await t.services.tickets.thread(ws.id, withoutId.ticket.id, { includeNotes: true })).map((m) => m.id)).toEqual([withoutId.messageId]);
  });

  it('keeps one ticket when two openings of one external id race: the one that waited for the other gets the first one\'s ticket', async () => {
    // The customer exists: the second opening waits for the first at the message alone.
    await t.services.tickets.open(ws.id, mail(), system);
    const externalId = `<${randomUUID()}@customer.example>`;
    const before = await rows();
    let commit!: () => void;
    const held = new Promise<void>((resolve) => { commit = resolve; });
    let opened!: () => void;
    const firstOpened = new Promise<void>((resolve) => { opened = resolve; });
    // The first opening's rows are written but not committed until the second one waits for its message.
    const first = inOneTransaction(async () => {
      const ticket = await t.services.tickets.open(ws.id, mail(externalId), system);
      opened();
      await held;
      return ticket;
    });
    await firstOpened;
    const second = t.services.tickets.open(ws.id, mail(externalId), system);
    await statementWaitsForLock(t.database.db, 'insert into "ticket_messages"');
    commit();
    expect((await first).number).toBeGreaterThan(0);
    expect((await second).id).toBe((await first).id);
    expect(await rows()).toEqual({ tickets: before.tickets + 1, messages: before.messages + 1, activity: before.activity + 1 });
  });

  it('sends the statements of an opening without one: no read of the message before the opening statement', async () => {
    /** What `open` sends up to its transaction's commit (the inline drivers' subscribers run after it, in the same context). */
    const opening = async (externalId?: string) => {
      // Warm: the customer exists, the statements' templates are compiled, the number statement has run.
      await t.services.tickets.open(ws.id, mail(`<warm-up-${randomUUID()}@customer.example>`), system);
      const statements = await statementsOf(() => t.services.tickets.open(ws.id, mail(externalId), system));
      return statements.slice(0, commitOf(statements) + 1);
    };
    const without = await opening();
    const withId = await opening(`<${randomUUID()}@customer.example>`);
    expect(withId).toEqual([
      expect.stringMatching(/^with "relaxed" .* update "ticket_settings"/), // the number, before the transaction
      'begin',
      expect.stringMatching(/^with "inserted" as \(insert into "customers"/),
      expect.stringMatching(/^with "t" as \(insert into "tickets"/), // ticket, message, terms, activity
      // The outbox's events go with the COMMIT, in its round trip.
      t.drivers === 'durable' ? expect.stringMatching(/^with written as \(insert into events [\s\S]*; commit$/) : 'commit',
    ]);
    expect(withId).toHaveLength(without.length);
  });
});

/** Where the first transaction of `statements` commits: a COMMIT, or a final statement sent with it (the outbox's events). */
function commitOf(statements: readonly string[]): number {
  return statements.findIndex((text) => text === 'commit' || text.endsWith('; commit'));
}

describe('changing a ticket', () => {
  it('writes the change and its activity line in one statement, after the lock', async () => {
    const ticket = await t.services.tickets.open(ws.id, mail(), system);
    const [department] = (await t.services.tickets.departments(ws.id)).filter((d) => d.id !== ticket.department_id);
    const sent = await statementsOf(() => t.services.tickets.update(ws.id, ticket.id, { departmentId: department!.id, urgency: 3 }, system));
    // Up to its commit: the inline drivers' subscribers run after it, in the same context.
    const writes = sent.slice(0, commitOf(sent)).filter((s) => /update "tickets"|insert into "ticket_activity"/.test(s));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^with "t" as \(update "tickets".*"a" as \(insert into "ticket_activity"/);
    const lines = await t.services.tickets.activity(ws.id, ticket.id);
    expect(lines.at(-1)).toMatchObject({ action: 'ticket.updated', details: { department_id: [ticket.department_id, department!.id], urgency: [1, 3] } });
    expect(await t.services.tickets.ticket(ws.id, ticket.id)).toMatchObject({ department_id: department!.id, urgency: 3 });
  });
});
