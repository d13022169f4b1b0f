import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/helpers/app.js';
import { statementsOf } from '../../../../../test/helpers/statements.js';
import { platformModules } from '../../../../services.js';
import { recordingLog } from '../../../../../test/helpers/log.js';
import { createInlineQueue } from '../../../../core/jobs/index.js';
import { Tenancy } from '../../../../core/tenancy.js';
import { InboundRepo } from '../inbound.repo.js';
import { InboundMail, type InboundRoute } from '../inbound.service.js';

/**
 * Issue 15: a mail's new ticket is triaged for its acknowledgement inside the mail's transaction,
 * from what the opening wrote and the mail in hand. A new sender's ticket costs no read of its
 * opening, its customer or the mail's header fields (its decision is still looked for); a known
 * customer's record is read (rules may ask for their tags), and the rules decide both alike.
 */
let t: TestApp;
let route: InboundRoute;
let jobs: ReturnType<typeof createInlineQueue>;
let inbound: InboundMail;
let departments: Record<string, string>;
const SYSTEM = { type: 'system' as const, id: null };
let n = 0;

beforeAll(async () => {
  // Triage's own `ticket.created` subscriber is left out: the inline bus would run it inside the
  // mail's processing, and its reads are not the acknowledgement's.
  t = await createTestApp({}, { modules: platformModules.map((m) => (m.name === 'triage' ? { ...m, subscriptions: undefined } : m)) });
  const ws = t.workspace.id;
  const address = await t.services.mailInbound.addresses.create(ws, { address: 'triage@acme.example', locale: 'en' });
  route = { workspace_id: ws, id: address.id, address: address.address };
  // A pipeline whose jobs run in the test's own async context (on either pass), so its statements are counted.
  jobs = createInlineQueue({ log: recordingLog() });
  inbound = new InboundMail(new InboundRepo(t.database.db, await Tenancy.load(t.database.db)), t.services.mailInbound.addresses, t.services.tickets,
    t.services.accounts, t.services.attachments, t.services.mailInbound.autoresponder, jobs, recordingLog());
  await inbound.work(jobs);
  departments = Object.fromEntries((await t.services.tickets.departments(ws)).map((d) => [d.key, d.id]));
  await t.services.triage.createRule(ws, {
    name: 'Billing senders', enabled: true, conditions: [{ type: 'senderDomain', in: ['billing.example'] }],
    actions: [{ type: 'setDepartment', departmentId: departments.finance! }, { type: 'setUrgency', urgency: 3 }],
  });
  // Spam scoring reads the mail's header fields.
  const automations = await t.services.triage.automations.settings(ws, { fresh: true });
  await t.services.triage.automations.saveSettings(ws, { ...automations, spam: { enabled: true, threshold: 5, blocklist: [] } }, SYSTEM);
  await t.services.triage.createRule(ws, {
    name: 'VIP customers', enabled: true, conditions: [{ type: 'customerTags', in: ['vip'] }], actions: [{ type: 'addTags', tags: ['vip-ticket'] }],
  });
});
afterAll(async () => { await t?.close(); });

/** Mail from `from`, accepted and processed (its acknowledgement decided too); the statements that cost, and its ticket. */
async function mailed(from: string, subject: string, extraHeaders: string[] = []) {
  const raw = Buffer.from([
    `From: ${from}`, 'To: triage@acme.example', `Subject: ${subject}`, `Message-ID: <triage-${Date.now()}-${++n}@customer.example>`, ...extraHeaders, '', `About ${subject}.`, '',
  ].join('\r\n'));
  const sent = await statementsOf(async () => {
    await inbound.accept(raw, { from, recipients: [route], remoteIp: '127.0.0.1', source: 'smtp' });
    await jobs.drain();
  });
  const row = await t.database.db.selectFrom('mail_inbound').select(['ticket_id', 'outcome']).where('subject', '=', subject).executeTakeFirstOrThrow();
  expect(row.outcome).toBe('ticket_created');
  const ticket = await t.services.tickets.ticket(t.workspace.id, row.ticket_id!);
  const acknowledgement = await t.database.db.selectFrom('mail_outbox').select(['from_address', 'text_body'])
    .where('idempotency_key', '=', `autoresponse:${ticket.id}`).executeTakeFirst();
  return { sent, ticket, acknowledgement };
}

const triageReads = (sent: string[]) => sent.filter((s) => /^select "tickets"\."id", "tickets"\."subject", "tickets"\."channel"/.test(s)
  || /^select "id", "email", "name", "locale", "company_id"/.test(s) || /^select substring\(raw from 1/.test(s));

describe('triage of a mail\'s new ticket', () => {
  it('reads nothing the opening wrote for a new sender, and applies the rules on them', async () => {
    const { sent, ticket, acknowledgement } = await mailed('ann@billing.example', 'Invoice copy, new sender');
    expect(triageReads(sent)).toEqual([]);
    expect(ticket).toMatchObject({ department_id: departments.finance, urgency: 3 });
    expect(ticket.tags).not.toContain('vip-ticket');
    // Decided once, and the acknowledgement says the urgency triage set.
    const decisions = await t.database.db.selectFrom('triage_decisions').select(['department_id', 'urgency']).where('ticket_id', '=', ticket.id).execute();
    expect(decisions).toEqual([{ department_id: departments.finance, urgency: 3 }]);
    expect(acknowledgement).toBeDefined();
  });

  it('scores spam on the header fields of the mail in hand', async () => {
    const { sent, ticket } = await mailed('news@offers.example', 'Monthly offers, new sender', ['List-Unsubscribe: <mailto:leave@offers.example>', 'Precedence: bulk']);
    expect(triageReads(sent)).toEqual([]);
    const [decision] = await t.database.db.selectFrom('triage_decisions').select(['spam_signals']).where('ticket_id', '=', ticket.id).execute();
    expect(decision!.spam_signals).toEqual(expect.arrayContaining(['list-headers']));
  });

  it('reads a known customer\'s record, whose tags the rules ask for', async () => {
    await t.services.customers.create(t.workspace.id, {
      name: 'Wang Fang', email: 'wang@customer.example', locale: null, timeZone: null, companyId: null, address: null, tags: ['vip'], attributes: {}, identities: [],
    }, SYSTEM);
    const { sent, ticket, acknowledgement } = await mailed('wang@customer.example', 'Printer offline, known customer');
    expect(triageReads(sent).filter((s) => s.startsWith('select "id", "email"'))).toHaveLength(1);
    expect(ticket.tags).toContain('vip-ticket');
    expect(acknowledgement).toBeDefined();
  });

  it('reads the record again for a sender\'s second mail, who is no longer new', async () => {
    const first = await mailed('bo@billing.example', 'First mail of Bo');
    expect(triageReads(first.sent)).toEqual([]);
    const second = await mailed('bo@billing.example', 'Second mail of Bo');
    expect(triageReads(second.sent).filter((s) => s.startsWith('select "id", "email"'))).toHaveLength(1);
    expect(second.ticket).toMatchObject({ department_id: departments.finance, urgency: 3 });
  });
});
