import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/helpers/app.js';
import { inOneTransaction } from '../../../../core/db/database.js';
import { Tenancy } from '../../../../core/tenancy.js';
import { Autoresponder } from '../autoresponder.service.js';
import { statementsOf } from '../../../../../test/helpers/statements.js';

/**
 * An acknowledgement's decision and mail: the statements one costs, the hourly limit for tickets
 * decided side by side, and what a failing address or a replay gets. The responder is the app's
 * wiring with a search port that answers from memory, and no workspace
 * policy: what is counted is the autoresponder's and the outbox's own.
 */
let t: TestApp;
let responder: Autoresponder;
/** Low enough that the limit is reached by fewer decisions than the test app's pool (4) has connections. */
const PER_HOUR = 2;

beforeAll(async () => {
  t = await createTestApp();
  await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'help@acme.example', locale: 'en' });
  responder = new Autoresponder(
    await Tenancy.load(t.database.db), t.services.tickets, t.services.accounts, t.services.outbox,
    { bestAnswers: async () => [{ title: 'Clearing a paper jam', url: '/kb/paper-jam' }] },
    t.services.sla,
    { publicUrl: 'https://help.acme.example', perSenderPerHour: PER_HOUR },
  );
});
afterAll(async () => { await t?.close(); });

let n = 0;
/** A ticket as inbound mail opens it, from `email` (a new customer each time by default). */
async function mailed(email = `customer-${++n}@customer.example`) {
  const ticket = await t.services.tickets.open(t.workspace.id, {
    subject: `Paper jam ${++n}`, body: 'Every page jams.', channel: 'email', customer: { email, name: 'Li Na', locale: 'en' },
  }, { type: 'system', id: null });
  await t.jobs.drain();
  return ticket;
}

const respond = (ticket: Awaited<ReturnType<typeof mailed>>, extra: Partial<Parameters<Autoresponder['respond']>[2]> = {}) =>
  responder.respond(t.workspace.id, ticket, { suppressed: null, localeHint: 'en', text: ticket.subject, inReplyTo: `in-${ticket.id}@customer.example`, ...extra });


/**
 * The statements of one queued acknowledgement, right after another has filled this node's caches
 * (the workspace, its support addresses): given the customer or not, inside an `inOneTransaction`
 * scope (inbound mail's batch) or not.
 */
async function statementsOfOne({ customer = false, inScope = false } = {}): Promise<string[]> {
  const [warmUp, ticket] = [await mailed(), await mailed()];
  await respond(warmUp);
  const given = customer ? { customer: await t.services.accounts.customer(t.workspace.id, ticket.customer_id) } : {};
  const statements = await statementsOf(async () => {
    const outcome = inScope ? await inOneTransaction(() => respond(ticket, given)) : await respond(ticket, given);
    expect(outcome).toBe('queued');
  });
  const mail = await t.database.db.selectFrom('mail_outbox').select(['message_id', 'text_body']).where('idempotency_key', '=', `autoresponse:${ticket.id}`).executeTakeFirstOrThrow();
  const threaded = await t.database.db.selectFrom('mail_message_ids').select(['message_id', 'direction']).where('ticket_id', '=', ticket.id).execute();
  // Queued, with the suggestion, and threaded: the statements counted did all of it.
  expect(mail.text_body).toContain('https://help.acme.example/kb/paper-jam');
  expect(threaded).toEqual([{ message_id: mail.message_id, direction: 'outbound' }]);
  return statements;
}

describe('one acknowledgement', () => {
  it('costs the customer\'s read, the lock with the address\'s health, the decision and the mail, in a transaction', async () => {
    // Before: the customer, the address's health, BEGIN, the lock, the hourly count, the decision,
    // the outbox's look-up by key, the mail, its Message-ID and COMMIT: ten.
    const statements = await statementsOfOne();
    expect(statements).toHaveLength(6);
    expect(statements[0]).toMatch(/from "customers"/);
    expect(statements.slice(1, 3)).toEqual(['begin', expect.stringMatching(/pg_advisory_xact_lock.*from "mail_address_health"/)]);
    expect(statements.at(-1)).toBe('commit');
  });

  it('costs no read of the customer when the caller has it, and no BEGIN or COMMIT of its own inside inbound mail\'s transaction', async () => {
    expect(await statementsOfOne({ customer: true })).toHaveLength(5);
    // The scope's BEGIN and COMMIT are the batch's, shared by every message in it.
    const inScope = await statementsOfOne({ customer: true, inScope: true });
    expect(inScope.filter((s) => !/^(begin|commit)/.test(s))).toHaveLength(3);
  });

  it('reads the customer when the one given is not the ticket\'s', async () => {
    const [ticket, other] = [await mailed('owner@customer.example'), await mailed('other@customer.example')];
    const stranger = await t.services.accounts.customer(t.workspace.id, other.customer_id);
    expect(await respond(ticket, { customer: stranger })).toBe('queued');
    const mail = await t.database.db.selectFrom('mail_outbox').select('to_address').where('idempotency_key', '=', `autoresponse:${ticket.id}`).executeTakeFirstOrThrow();
    expect(mail.to_address).toBe('owner@customer.example');
  });
});

describe('the decision', () => {
  it(`queues ${PER_HOUR} of a sender's tickets an hour, decided side by side`, async () => {
    const email = 'flood@customer.example';
    const tickets = [];
    for (let i = 0; i < PER_HOUR + 2; i++) tickets.push(await mailed(email));
    // Every decision waits for the recipient's lock until all of them do: each then counts what
    // the ones before it committed, not what was there when its statement began.
    const holder = new pg.Client({ connectionString: t.database.url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock(hashtext($1))', [`${t.workspace.id}:${email}`]);
      const outcomes = Promise.all(tickets.map((ticket) => respond(ticket)));
      await waitingForLocks(holder, tickets.length);
      await holder.query('select pg_advisory_unlock(hashtext($1))', [`${t.workspace.id}:${email}`]);
      expect((await outcomes).sort()).toEqual([...Array(PER_HOUR).fill('queued'), 'skipped', 'skipped']);
    } finally {
      await holder.end();
    }
    const decisions = await t.database.db.selectFrom('mail_autoresponses').select(['outcome', 'reason']).where('recipient', '=', email).execute();
    expect(decisions.filter((d) => d.outcome === 'skipped').map((d) => d.reason)).toEqual(['rate-limited', 'rate-limited']);
    const mails = await t.database.db.selectFrom('mail_outbox').select('id').where('to_address', '=', email).execute();
    expect(mails).toHaveLength(PER_HOUR);
  });

  it('skips a failing address, and a replay finds the decision made', async () => {
    const email = 'bounced@customer.example';
    const ticket = await mailed(email);
    await t.database.db.insertInto('mail_address_health').values({ workspace_id: t.workspace.id, address: email, status: 'failing', bounce_count: 1 }).execute();
    expect(await respond(ticket)).toBe('skipped');
    expect(await respond(ticket)).toBe('already-decided');
    const decision = await t.database.db.selectFrom('mail_autoresponses').select(['outcome', 'reason']).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(decision).toEqual({ outcome: 'skipped', reason: 'address-failing' });
    expect(await t.database.db.selectFrom('mail_outbox').select('id').where('to_address', '=', email).execute()).toEqual([]);
  });

  it('records the inbound rules\' reason, which comes before the address\'s health', async () => {
    const email = 'robot@customer.example';
    const ticket = await mailed(email);
    await t.database.db.insertInto('mail_address_health').values({ workspace_id: t.workspace.id, address: email, status: 'failing', bounce_count: 1 }).execute();
    expect(await respond(ticket, { suppressed: 'auto-submitted' })).toBe('skipped');
    const decision = await t.database.db.selectFrom('mail_autoresponses').select(['outcome', 'reason']).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(decision).toEqual({ outcome: 'skipped', reason: 'auto-submitted' });
  });
});

/** Until `count` backends wait for an advisory lock (asked on `client`: the app's pool may be all theirs). */
async function waitingForLocks(client: pg.Client, count: number): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    const { rows: [waiting] } = await client.query<{ n: number }>(`select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database
      where d.datname = current_database() and l.locktype = 'advisory' and not l.granted`);
    if (waiting!.n >= count) return;
    await sleep(25);
  }
  throw new Error(`fewer than ${count} decisions came to wait for the recipient's lock`);
}
