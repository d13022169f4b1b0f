import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/helpers/app.js';
import { recordingLog } from '../../../../../test/helpers/log.js';
import { createInlineQueue } from '../../../../core/jobs/index.js';
import { Tenancy } from '../../../../core/tenancy.js';
import { InboundRepo } from '../inbound.repo.js';
import { InboundMail, type InboundRoute } from '../inbound.service.js';
import { statementsOf } from '../../../../../test/helpers/statements.js';

/**
 * Issue 15, "one job takes many waiting messages": messages whose jobs are fetched together are
 * processed together, their attempts counted in one statement and their work in one transaction
 * per batch; a message that fails in a batch costs the others only a replay, one by one.
 */
let t: TestApp;
let route: InboundRoute;
let n = 0;

beforeAll(async () => {
  t = await createTestApp();
  const address = await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'batch@acme.example', locale: 'en' });
  route = { workspace_id: t.workspace.id, id: address.id, address: address.address };
});
afterAll(async () => { await t?.close(); });

/** A pipeline of its own whose queue is worked only when the test says: the messages it stored wait together. */
async function waitingPipeline() {
  const log = recordingLog();
  const jobs = createInlineQueue({ log });
  const inbound = new InboundMail(new InboundRepo(t.database.db, await Tenancy.load(t.database.db)), t.services.mailInbound.addresses, t.services.tickets,
    t.services.accounts, t.services.attachments, t.services.mailInbound.autoresponder, jobs, log);
  return { jobs, log, inbound, accept: (raw: Buffer) => inbound.accept(raw, { from: 'relay@customer.example', recipients: [route], remoteIp: '127.0.0.1', source: 'smtp' }) };
}

const eml = (from: string, subject: string, extra = '') => Buffer.from([
  `From: ${from}`, 'To: batch@acme.example', `Subject: ${subject}`, `Message-ID: <batch-${Date.now()}-${++n}@customer.example>`, ...(extra ? [extra] : []), '', `About ${subject}.`, '',
].join('\r\n'));


const rowsFrom = (senders: string[]) => t.database.db.selectFrom('mail_inbound').select(['from_address', 'status', 'outcome', 'ticket_id', 'attempts', 'reason'])
  .where('workspace_id', '=', t.workspace.id).where('envelope_from', '=', 'relay@customer.example').where('from_address', 'in', senders).execute();

describe('inbound mail in batches', () => {
  it('processes twelve waiting messages in three transactions, counting their attempts in one statement each', async () => {
    const { jobs, inbound, accept } = await waitingPipeline();
    const senders = Array.from({ length: 12 }, (_, i) => `batch-${i}@customer.example`);
    for (const [i, sender] of senders.entries()) await accept(eml(sender, `Batch message ${i}`));
    const sent = await statementsOf(async () => {
      await inbound.work(jobs);
      await jobs.drain();
    });
    const rows = await rowsFrom(senders);
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.status === 'processed' && r.outcome === 'ticket_created' && r.attempts === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.ticket_id)).size).toBe(12);
    // Three lanes share the twelve: one claim and one transaction per lane's batch, not per message
    // (rows written by one transaction carry its id as their xmin; messages are never updated).
    expect(sent.filter((s) => s.includes('update "mail_inbound" set "attempts"'))).toHaveLength(3);
    const transactions = await sql<{ n: number }>`select count(distinct xmin::text)::int as n from ticket_messages where ticket_id = any(${rows.map((r) => r.ticket_id)})`.execute(t.database.db);
    expect(transactions.rows[0]!.n).toBe(3);
  });

  it('processes the others of a batch one by one when one of them fails, and parks only that one', async () => {
    const { jobs, inbound, accept, log } = await waitingPipeline();
    const senders = Array.from({ length: 8 }, (_, i) => `mixed-${i}@customer.example`);
    // Over the parser's limits: an error no retry can mend, thrown in the middle of a batch.
    for (const [i, sender] of senders.entries()) await accept(eml(sender, `Mixed message ${i}`, i === 1 ? `X-Filler: ${'x'.repeat(1_200_000)}` : ''));
    await inbound.work(jobs);
    await jobs.drain();
    const rows = await rowsFrom(senders.filter((_, i) => i !== 1));
    expect(rows).toHaveLength(7);
    expect(rows.every((r) => r.status === 'processed' && r.outcome === 'ticket_created')).toBe(true);
    const bad = await t.database.db.selectFrom('mail_inbound').select(['status', 'reason', 'attempts', 'ticket_id'])
      .where('workspace_id', '=', t.workspace.id).where('subject', 'is', null).where('status', '=', 'parked').execute();
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ status: 'parked', attempts: 1, ticket_id: null });
    expect(bad[0]!.reason).toMatch(/^MAIL_TOO_COMPLEX/);
    // The batch's fallback is said, at debug: the parked message's own warning names the culprit.
    expect(log.entries.filter((e) => e.level === 'debug').map((e) => e.args[1])).toContain('inbound mail: a batch failed in one transaction; processing its messages one by one');
    expect(log.entries.filter((e) => e.level === 'warn').map((e) => e.args[1])).toContain('inbound mail parked');
  });

  it('fails the job of a message that is not there, and only that job', async () => {
    const { jobs, log, inbound, accept } = await waitingPipeline();
    await accept(eml('present@customer.example', 'Present'));
    await jobs.send('mail.inbound', { workspaceId: t.workspace.id, inboundId: '00000000-0000-4000-8000-000000000000' }, { retryLimit: 0 });
    await inbound.work(jobs);
    await jobs.drain();
    const [row] = await rowsFrom(['present@customer.example']);
    expect(row).toMatchObject({ status: 'processed', outcome: 'ticket_created' });
    const failed = log.entries.filter((e) => e.level === 'error' && e.args[1] === 'job failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.args[0]).toMatchObject({ err: { message: 'inbound message not found' } });
  });

  it('stores messages that arrive together in one insert, keeping a redelivery out and a reused Message-ID apart', async () => {
    const { jobs, inbound, accept } = await waitingPipeline();
    const messages = Array.from({ length: 6 }, (_, i) => eml(`together-${i}@customer.example`, `Together ${i}`));
    const reusedId = `<reused-together-${Date.now()}@customer.example>`;
    const withId = (raw: Buffer) => Buffer.from(raw.toString().replace(/Message-ID: <[^>]+>/, `Message-ID: ${reusedId}`));
    const first = withId(eml('reuse-a@customer.example', 'Reused A'));
    const other = withId(eml('reuse-b@customer.example', 'Reused B'));
    const sent = await statementsOf(async () => {
      const outcomes = await Promise.all([...messages, first, other, messages[0]!].map((raw) => accept(raw)));
      // The first message and its redelivery go in different lanes: whichever commits first is stored.
      expect(outcomes.map((o) => `${o.stored}/${o.duplicates}`).sort()).toEqual(['0/1', ...Array(8).fill('1/0')]);
    });
    // Nine arrive together and two lanes share them: five in one insert; four in the other's, but
    // for the second of the reused Message-ID, which waits for a statement after it.
    const inserts = sent.filter((s) => s.startsWith('insert into "mail_inbound"'));
    expect(inserts).toHaveLength(3);
    const rows = await t.database.db.selectFrom('mail_inbound').select(['subject', 'message_id_reused', 'status'])
      .where('workspace_id', '=', t.workspace.id).where('message_id', '=', reusedId.slice(1, -1)).orderBy('received_at').execute();
    expect(rows.map((r) => r.message_id_reused).sort()).toEqual([false, true]);
    await inbound.work(jobs);
    await jobs.drain();
    const tickets = await t.database.db.selectFrom('tickets').select('subject').where('workspace_id', '=', t.workspace.id)
      .where('subject', 'in', ['Reused A', 'Reused B', ...messages.map((_, i) => `Together ${i}`)]).execute();
    expect(tickets.map((x) => x.subject).sort()).toEqual(['Reused A', 'Reused B', ...messages.map((_, i) => `Together ${i}`)].sort());
  });

  it('stores large messages that arrive together in statements of at most 16 MB', async () => {
    const { accept } = await waitingPipeline();
    const large = [0, 1, 2].map((i) => eml(`large-${i}@customer.example`, `Large ${i}`, `X-Filler: ${'y'.repeat(9 * 1024 * 1024)}`));
    const sent = await statementsOf(async () => {
      expect((await Promise.all(large.map((raw) => accept(raw)))).map((o) => o.stored)).toEqual([1, 1, 1]);
    });
    // Two lanes: one message alone, and two of 9 MB that do not fit in one statement together.
    expect(sent.filter((s) => s.startsWith('insert into "mail_inbound"'))).toHaveLength(3);
  });
});
