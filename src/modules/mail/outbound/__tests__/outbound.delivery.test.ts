import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/helpers/app.js';
import { SmtpSink, eventually } from '../../../../../test/mail/outbound-sink.js';
import { CLAIM_LOST_MS } from '../outbound.service.js';

/**
 * Outbound mail through nodemailer to a real SMTP server started here (smtp-server on a free
 * port), parsed back with mailparser: headers, threading, retries, failures, and a relay that is
 * down for a while.
 */
let t: TestApp;
let sink: SmtpSink;
let agent: { type: 'agent'; id: string };
const system = { type: 'system' as const, id: null };

beforeAll(async () => {
  sink = await SmtpSink.start();
  t = await createTestApp({ KEFU_SMTP_URL: sink.url, KEFU_MAIL_RETRY_DELAY_MS: '40', KEFU_MAIL_MAX_ATTEMPTS: '12' });
  agent = { type: 'agent', id: t.workspace.admin.id };
  await t.database.db.insertInto('mail_addresses').values({ workspace_id: t.workspace.id, address: 'support@acme.example', display_name: 'Acme 客服' }).execute();
});
beforeEach(() => {
  sink.policy = () => undefined;
});
afterAll(async () => {
  await t.jobs.drain();
  await t.close();
  await sink.stop();
});

const outboxRow = (id: string) => t.database.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
/** A reply's mail, once the `mail:message.created` subscriber has queued it (after the reply's commit, on the durable drivers). */
const rowOfMessage = (ticketMessageId: string) =>
  eventually(() => t.database.db.selectFrom('mail_outbox').selectAll().where('ticket_message_id', '=', ticketMessageId).executeTakeFirst());
const sentOrFailed = async (id: string) => {
  const row = await outboxRow(id);
  return row.status === 'sent' || row.status === 'failed' ? row : undefined;
};
const receivedWith = (messageId: string) => sink.received.filter((m) => m.parsed.messageId === `<${messageId}>`);

/** A ticket that came in by mail: the inbound side recorded the customer's Message-ID for it. */
async function mailedTicket(email: string, inboundMessageId: string) {
  const ticket = await t.services.tickets.open(t.workspace.id, {
    subject: 'Invoice missing', body: 'Where is my invoice?', channel: 'email', customer: { email, name: 'Wang Fang' }, externalId: inboundMessageId,
  }, system);
  await t.database.db.insertInto('mail_message_ids').values({
    workspace_id: t.workspace.id, message_id: inboundMessageId, ticket_id: ticket.id, ticket_message_id: null, direction: 'inbound',
  }).execute();
  return ticket;
}

describe('agent replies by e-mail', () => {
  it('sends from the support address with Message-ID, In-Reply-To and References that thread under the customer\'s mail', async () => {
    const ticket = await mailedTicket('wang.fang@example.com', 'original-123@customer.example');
    const file = await t.services.attachments.save({ filename: 'invoice.txt', stream: Readable.from([Buffer.from('INVOICE 42')]) });
    const first = await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Here it is.', attachments: [file] }, agent);
    const firstRow = await eventually(async () => sentOrFailed((await rowOfMessage(first.id)).id));
    expect(firstRow.status).toBe('sent');
    expect(firstRow.message_id).toMatch(/^[0-9a-f-]{36}@acme\.example$/);
    const [mail] = receivedWith(firstRow.message_id);
    expect(mail).toBeDefined();
    const parsed = mail!.parsed;
    expect(parsed.from?.value[0]).toMatchObject({ address: 'support@acme.example', name: 'Acme 客服' });
    expect(parsed.replyTo?.value[0]?.address).toBe('support@acme.example');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : undefined).toBe('wang.fang@example.com');
    expect(parsed.subject).toBe(`Re: Invoice missing [#${ticket.number}]`);
    expect(parsed.inReplyTo).toBe('<original-123@customer.example>');
    expect([parsed.references].flat()).toEqual(['<original-123@customer.example>']);
    expect(parsed.text).toContain('Here it is.');
    expect(parsed.text).toContain(`/requests/${ticket.number}`);
    expect(parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['invoice.txt', 'INVOICE 42']]);
    expect(mail!.envelopeTo).toEqual(['wang.fang@example.com']);

    // The customer answers our reply; our second reply carries the whole chain.
    await t.database.db.insertInto('mail_message_ids').values({
      workspace_id: t.workspace.id, message_id: 'answer-456@customer.example', ticket_id: ticket.id, ticket_message_id: null, direction: 'inbound',
    }).execute();
    const second = await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Anything else?' }, agent);
    const secondRow = await eventually(async () => sentOrFailed((await rowOfMessage(second.id)).id));
    const parsedSecond = receivedWith(secondRow.message_id)[0]!.parsed;
    expect(parsedSecond.inReplyTo).toBe('<answer-456@customer.example>');
    expect([parsedSecond.references].flat()).toEqual([
      '<original-123@customer.example>', `<${firstRow.message_id}>`, '<answer-456@customer.example>',
    ]);
    // Our own Message-IDs are recorded for threading the customer's next answer.
    const recorded = await t.database.db.selectFrom('mail_message_ids').select(['message_id', 'direction', 'ticket_message_id'])
      .where('ticket_id', '=', ticket.id).where('direction', '=', 'outbound').orderBy('created_at').execute();
    expect(recorded).toEqual([
      { message_id: firstRow.message_id, direction: 'outbound', ticket_message_id: first.id },
      { message_id: secondRow.message_id, direction: 'outbound', ticket_message_id: second.id },
    ]);
  });

  // Chat tickets: answered in the chat while it is live, by e-mail afterwards (src/modules/chat/__tests__/chat.input.test.ts).
  it('does not mail internal notes or customers\' own messages', async () => {
    const ticket = await mailedTicket('quiet@example.com', 'quiet-1@customer.example');
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'note', body: 'internal only' }, agent);
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'customer again' }, { type: 'customer', id: ticket.customer_id });
    await t.jobs.drain(); // the messages' subscribers have run
    const rows = await t.database.db.selectFrom('mail_outbox').select('id').where('ticket_id', '=', ticket.id).where('template', '=', 'agentReply').execute();
    expect(rows).toEqual([]);
  });

  it('retries after a 4xx and delivers once', async () => {
    let refusals = 0;
    sink.policy = (address) => (address === 'greylisted@example.com' && refusals++ < 2 ? { code: 451, message: 'Greylisted, try again later' } : undefined);
    const ticket = await mailedTicket('greylisted@example.com', 'grey-1@customer.example');
    const reply = await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Second time lucky' }, agent);
    const row = await eventually(async () => sentOrFailed((await rowOfMessage(reply.id)).id));
    expect(row.status).toBe('sent');
    expect(receivedWith(row.message_id)).toHaveLength(1);
    const attempts = await t.services.mailOutbound.mail(t.workspace.id, row.id);
    expect(attempts.history.map((a) => [a.attempt, a.outcome, a.smtp_code])).toEqual([[1, 'transient', 451], [2, 'transient', 451], [3, 'sent', 250]]);
  });

  it('marks a 5xx refusal failed at once and says so on the ticket', async () => {
    sink.policy = (address) => (address === 'gone@example.com' ? { code: 550, message: 'No such user' } : undefined);
    const ticket = await mailedTicket('gone@example.com', 'gone-1@customer.example');
    const reply = await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Hello?' }, agent);
    const row = await eventually(async () => sentOrFailed((await rowOfMessage(reply.id)).id));
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(receivedWith(row.message_id)).toHaveLength(0);
    // The note follows the status change (same attempt, next statement).
    const notes = await eventually(async () => {
      const found = (await t.services.tickets.thread(t.workspace.id, ticket.id, { includeNotes: true })).filter((m) => m.kind === 'note');
      return found.length ? found : undefined;
    });
    await t.jobs.drain();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ author_type: 'system' });
    expect(notes[0]!.body_text).toContain('gone@example.com');
    expect(notes[0]!.body_text).toContain('550');
  });

  it('delivers every reply once a relay that was down is back, none twice', async () => {
    await sink.stop();
    const ticket = await mailedTicket('patient@example.com', 'patient-1@customer.example');
    const replies = [];
    for (const body of ['one', 'two', 'three']) replies.push(await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body }, agent));
    const rows = await Promise.all(replies.map((r) => rowOfMessage(r.id)));
    // Every mail has failed to connect at least twice while the relay was down.
    await eventually(async () => (await Promise.all(rows.map((r) => outboxRow(r.id)))).every((r) => r.attempts >= 2 && r.status === 'queued'));
    await sink.listen();
    const delivered = await eventually(async () => {
      const now = await Promise.all(rows.map((r) => outboxRow(r.id)));
      return now.every((r) => r.status === 'sent') ? now : undefined;
    });
    const counts = sink.countsByMessageId();
    for (const row of delivered) expect(counts.get(`<${row.message_id}>`)).toBe(1);
    const history = await t.services.mailOutbound.mail(t.workspace.id, delivered[0]!.id);
    expect(history.history.filter((a) => a.outcome === 'transient').length).toBeGreaterThanOrEqual(2);
    expect(history.history.at(-1)?.outcome).toBe('sent');
  });
});

describe('the outbox queue', () => {
  it('queues one mail per idempotency key', async () => {
    const mail = { to: 'once@example.com', template: 'csatRequest' as const, locale: 'en' as const, vars: { name: 'O', number: '1', subject: 's', link: 'http://x', workspace: 'Acme' }, idempotencyKey: 'csat:once' };
    const first = await t.services.outbox.queue(t.workspace.id, mail);
    const second = await t.services.outbox.queue(t.workspace.id, mail);
    // The same mail, whatever its delivery has reached meanwhile (its job may already be sending it).
    expect({ id: second.id, messageId: second.messageId }).toEqual({ id: first.id, messageId: first.messageId });
    const rows = await t.database.db.selectFrom('mail_outbox').select('id').where('idempotency_key', '=', 'csat:once').execute();
    expect(rows).toHaveLength(1);
    await eventually(() => sentOrFailed(first.id));
    expect(receivedWith(first.messageId)).toHaveLength(1);
  });

  it('queues in callers\' transactions that hold every connection of the pool, the sender read in each', async () => {
    // A new address empties this node's cache of the workspace's addresses: each queue reads them.
    await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'pool@acme.example' });
    const holders = t.database.pool.options.max;
    let holding = 0;
    let allHolding!: () => void;
    const everyConnectionTaken = new Promise<void>((resolve) => { allHolding = resolve; });
    const queued = await Promise.all(Array.from({ length: holders }, (_, i) => t.database.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      if (++holding === holders) allHolding();
      await everyConnectionTaken;
      return t.services.outbox.queue(t.workspace.id, { to: `holder-${i}@example.com`, template: 'passwordReset', locale: 'en', vars: { name: 'T', workspace: 'Acme', link: 'http://x' } }, trx);
    })));
    const rows = await t.database.db.selectFrom('mail_outbox').select('from_address').where('id', 'in', queued.map((q) => q.id)).execute();
    expect(rows.map((r) => r.from_address)).toEqual(Array(holders).fill('"Acme 客服" <support@acme.example>'));
  });

  it('keeps CR/LF out of every header: injected subjects are folded, injected addresses refused', async () => {
    const injected = { reply: 'r', number: '7', subject: 'Hi\r\nBcc: victim@evil.example\r\n\r\nforged body', link: 'http://x', workspace: 'Acme' };
    const queued = await t.services.outbox.queue(t.workspace.id, { to: 'header.test@example.com', template: 'agentReply', locale: 'en', vars: injected });
    await eventually(() => sentOrFailed(queued.id));
    const [mail] = receivedWith(queued.messageId);
    expect(mail!.envelopeTo).toEqual(['header.test@example.com']);
    expect(mail!.parsed.bcc).toBeUndefined();
    expect(mail!.parsed.headers.has('bcc')).toBe(false);
    expect(mail!.parsed.subject).toBe('Re: Hi Bcc: victim@evil.example forged body [#7]');
    const headerBlock = mail!.raw.split('\r\n\r\n')[0]!;
    expect(headerBlock).not.toMatch(/^Bcc:/im);

    for (const to of ['a@example.com\r\nBcc: victim@evil.example', 'a@example.com, b@example.com', 'not-an-address', '']) {
      await expect(t.services.outbox.queue(t.workspace.id, { to, template: 'agentReply', locale: 'en', vars: injected })).rejects.toMatchObject({ code: 'MAIL_ADDRESS_INVALID' });
    }
    await expect(t.services.outbox.queue(t.workspace.id, { to: 'ok@example.com', from: 'x@example.com\nBcc: y@example.com', template: 'agentReply', locale: 'en', vars: injected }))
      .rejects.toMatchObject({ code: 'MAIL_ADDRESS_INVALID' });
    // Malformed thread ids are dropped, not written into In-Reply-To.
    const threaded = await t.services.outbox.queue(t.workspace.id, {
      to: 'thread.test@example.com', template: 'agentReply', locale: 'en', vars: injected, inReplyTo: 'x@y\r\nBcc: victim@evil.example', references: ['<ok@customer.example>', 'bad id@x'],
    });
    const row = await eventually(() => sentOrFailed(threaded.id));
    expect(row.in_reply_to).toBeNull();
    expect(row.reference_ids).toEqual(['ok@customer.example']);
  });

  it('sends nothing to a placeholder address (.invalid): the mail is kept as not sent, with the reason', async () => {
    const queued = await t.services.outbox.queue(t.workspace.id, { to: 'phone-8613800138000@phone.invalid', template: 'passwordReset', locale: 'en', vars: { name: 'P', workspace: 'Acme', link: 'http://x' } });
    expect(queued.status).toBe('failed');
    await t.jobs.drain();
    const row = await t.database.db.selectFrom('mail_outbox').selectAll().where('id', '=', queued.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 0, sent_at: null });
    expect(row.last_error).toContain('.invalid');
    expect(await t.database.db.selectFrom('mail_outbox_attempts').select('id').where('outbox_id', '=', queued.id).execute()).toEqual([]);
    expect(receivedWith(queued.messageId)).toEqual([]);
  });

  it('notes on the ticket that a reply was not mailed when the customer\'s address is unusable', async () => {
    // Customers created by other channels (an agent typing a caller's details) are not checked as mail addresses.
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: 'Phone call', body: 'called us', channel: 'phone', customer: { email: 'no-at-sign', name: 'Caller' } }, system);
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'We called back' }, agent);
    await t.jobs.drain(); // the reply's subscriber has tried to mail it
    const notes = (await t.services.tickets.thread(t.workspace.id, ticket.id, { includeNotes: true })).filter((m) => m.kind === 'note');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body_text).toContain('no-at-sign');
    expect(await t.database.db.selectFrom('mail_outbox').select('id').where('ticket_id', '=', ticket.id).execute()).toEqual([]);
  });
});

describe('durability', () => {
  const insertRow = (values: { status: 'queued' | 'sending' | 'held'; to: string; claimedAt?: Date; attempts?: number }) =>
    t.database.db.insertInto('mail_outbox').values({
      workspace_id: t.workspace.id, message_id: `${crypto.randomUUID()}@acme.example`, from_address: 'support@acme.example', to_address: values.to,
      subject: 'Stored before the crash', text_body: 'body', template: 'agentReply', locale: 'en', status: values.status,
      claimed_at: values.claimedAt ?? null,
      // Due a second ago: the column's default (the database's now(), in microseconds) can fall after
      // the sweep's millisecond clock when both happen within the same millisecond.
      next_attempt_at: new Date(Date.now() - 1000),
    }).returning(['id', 'message_id']).executeTakeFirstOrThrow();

  it('sends a committed mail whose job was never enqueued when the sweeper runs', async () => {
    const row = await insertRow({ status: 'queued', to: 'orphan@example.com' });
    // Other tests' mail may be due at the same moment; this one must be among what the sweep scheduled.
    expect((await t.services.mailOutbound.sweep()).scheduled).toBeGreaterThanOrEqual(1);
    await eventually(() => sentOrFailed(row.id));
    expect(receivedWith(row.message_id)).toHaveLength(1);
    // Sent is sent: a later sweep does not send it again.
    await t.services.mailOutbound.sweep();
    await t.jobs.drain();
    expect(receivedWith(row.message_id)).toHaveLength(1);
    expect((await outboxRow(row.id)).attempts).toBe(1);
  });

  it('sends a mail queued in a caller\'s transaction once it commits, and nothing when it rolls back', async () => {
    const mail = (to: string) => ({ to, template: 'passwordReset' as const, locale: 'en' as const, vars: { name: 'T', workspace: 'Acme', link: 'http://x' } });
    let committed: { id: string; messageId: string } | undefined;
    await t.database.db.transaction().execute(async (trx) => {
      committed = await t.services.outbox.queue(t.workspace.id, mail('in-trx@example.com'), trx);
      // The first job runs before the commit, finds nothing yet, and gives up; the row is safe.
      await t.jobs.drain();
    });
    expect((await outboxRow(committed!.id)).status).toBe('queued');
    await expect(t.database.db.transaction().execute(async (trx) => {
      await t.services.outbox.queue(t.workspace.id, mail('rolled-back@example.com'), trx);
      throw new Error('the caller failed');
    })).rejects.toThrow('the caller failed');
    await t.services.mailOutbound.sweep();
    expect((await eventually(() => sentOrFailed(committed!.id))).status).toBe('sent');
    expect(receivedWith(committed!.messageId)).toHaveLength(1);
    expect(await t.database.db.selectFrom('mail_outbox').select('id').where('to_address', '=', 'rolled-back@example.com').execute()).toEqual([]);
    expect(sink.received.filter((m) => m.envelopeTo.includes('rolled-back@example.com'))).toEqual([]);
  });

  it('sends again, with the same Message-ID, a mail whose attempt never finished', async () => {
    const row = await insertRow({ status: 'sending', to: 'interrupted@example.com', claimedAt: new Date(Date.now() - 11 * 60_000) });
    await t.database.db.updateTable('mail_outbox').set({ attempts: 1 }).where('id', '=', row.id).execute();
    expect(await t.services.mailOutbound.sweep()).toMatchObject({ recovered: 1 });
    const sent = await eventually(() => sentOrFailed(row.id));
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, message_id: row.message_id });
    const history = await t.services.mailOutbound.mail(t.workspace.id, row.id);
    expect(history.history.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'unknown'], [2, 'sent']]);
  });

  it('sends once more, with the same Message-ID, when the job of an attempt whose process died is retried', async () => {
    // The queue retries a job only after its run expired (40 s): the claim is as old as that.
    const row = await insertRow({ status: 'sending', to: 'crashed@example.com', claimedAt: new Date(Date.now() - CLAIM_LOST_MS - 1000) });
    await t.database.db.updateTable('mail_outbox').set({ attempts: 1 }).where('id', '=', row.id).execute();
    await t.services.mailOutbound.deliver({ workspaceId: t.workspace.id, outboxId: row.id });
    expect(await outboxRow(row.id)).toMatchObject({ status: 'sent', attempts: 2, message_id: row.message_id });
    expect((await t.services.mailOutbound.mail(t.workspace.id, row.id)).history.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'unknown'], [2, 'sent']]);
    // The job run once more (its completion lost too) sends nothing.
    await t.services.mailOutbound.deliver({ workspaceId: t.workspace.id, outboxId: row.id });
    expect(receivedWith(row.message_id)).toHaveLength(1);
  });

  it('retries later, sending nothing, when a send job finds its mail claimed moments ago', async () => {
    const row = await insertRow({ status: 'sending', to: 'claimed@example.com', claimedAt: new Date() });
    await expect(t.services.mailOutbound.deliver({ workspaceId: t.workspace.id, outboxId: row.id })).rejects.toThrow(/being sent/);
    expect((await outboxRow(row.id)).status).toBe('sending');
    expect(receivedWith(row.message_id)).toHaveLength(0);
    await t.database.db.deleteFrom('mail_outbox').where('id', '=', row.id).execute();
  });

  it('sends a lost attempt once when the sweeper and the retried job find it together', async () => {
    const row = await insertRow({ status: 'sending', to: 'raced@example.com', claimedAt: new Date(Date.now() - CLAIM_LOST_MS - 1000) });
    await t.database.db.updateTable('mail_outbox').set({ attempts: 1 }).where('id', '=', row.id).execute();
    await Promise.all([t.services.mailOutbound.sweep(), t.services.mailOutbound.deliver({ workspaceId: t.workspace.id, outboxId: row.id })]);
    expect((await eventually(() => sentOrFailed(row.id))).status).toBe('sent');
    await t.jobs.drain();
    expect(receivedWith(row.message_id)).toHaveLength(1);
    const history = (await t.services.mailOutbound.mail(t.workspace.id, row.id)).history;
    expect(history.map((a) => a.outcome)).toEqual(['unknown', 'sent']);
  });

  it('leaves a fresh claim alone: it may still be talking to the relay', async () => {
    const row = await insertRow({ status: 'sending', to: 'busy@example.com', claimedAt: new Date() });
    expect(await t.services.mailOutbound.sweep()).toMatchObject({ recovered: 0 });
    expect((await outboxRow(row.id)).status).toBe('sending');
    await t.database.db.deleteFrom('mail_outbox').where('id', '=', row.id).execute();
  });
});

describe('the outbox API with SMTP settings', () => {
  let auth: { authorization: string };
  beforeAll(async () => {
    auth = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'outbox', system)).token}` };
  });
  const api = (method: 'GET' | 'POST', url: string) => t.app.http.inject({ method, url: `/api/v1${url}`, headers: auth });

  it('sends a failed mail again on request, with a fresh set of attempts', async () => {
    let refuse = true;
    sink.policy = (address) => (address === 'later@example.com' && refuse ? { code: 550, message: 'Mailbox unavailable' } : undefined);
    const queued = await t.services.outbox.queue(t.workspace.id, { to: 'later@example.com', template: 'passwordReset', locale: 'zh-CN', vars: { name: 'L', workspace: 'Acme', link: 'http://x' } });
    expect((await eventually(() => sentOrFailed(queued.id))).status).toBe('failed');
    refuse = false;
    const retried = await api('POST', `/mail/outbox/${queued.id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect((await eventually(() => sentOrFailed(queued.id))).status).toBe('sent');
    expect(receivedWith(queued.messageId)).toHaveLength(1);
    expect(receivedWith(queued.messageId)[0]!.parsed.subject).toBe('重置您的Acme账号密码');
    const again = await api('POST', `/mail/outbox/${queued.id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('MAIL_NOT_FAILED');
  });

  it('releases mail held before SMTP settings existed', async () => {
    const held = await t.database.db.insertInto('mail_outbox').values({
      workspace_id: t.workspace.id, message_id: `${crypto.randomUUID()}@acme.example`, from_address: 'support@acme.example', to_address: 'held@example.com',
      subject: 'Held', text_body: 'body', template: 'agentReply', locale: 'en', status: 'held',
    }).returning(['id', 'message_id']).executeTakeFirstOrThrow();
    const released = await api('POST', '/mail/outbox/release-held');
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json()).toEqual({ released: 1 });
    await eventually(() => sentOrFailed(held.id));
    expect(receivedWith(held.message_id)).toHaveLength(1);
  });
});

describe('DKIM', () => {
  it('signs every mail with the configured domain and selector', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kefu-dkim-'));
    const keyFile = path.join(dir, 'dkim.pem');
    await writeFile(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const signed = await createTestApp({ KEFU_SMTP_URL: sink.url, KEFU_DKIM_DOMAIN: 'acme.example', KEFU_DKIM_SELECTOR: 'kefu2026', KEFU_DKIM_PRIVATE_KEY_FILE: keyFile, KEFU_MAIL_FROM: 'Acme <mail@acme.example>' });
    try {
      const queued = await signed.services.outbox.queue(signed.workspace.id, { to: 'dkim@example.com', template: 'passwordReset', locale: 'en', vars: { name: 'D', workspace: 'Acme', link: 'http://x' } });
      await eventually(async () => {
        const row = await signed.database.db.selectFrom('mail_outbox').select('status').where('id', '=', queued.id).executeTakeFirstOrThrow();
        return row.status === 'sent';
      });
      const [mail] = receivedWith(queued.messageId);
      expect(queued.messageId).toMatch(/@acme\.example$/);
      expect(mail!.parsed.from?.value[0]).toMatchObject({ address: 'mail@acme.example', name: 'Acme' });
      const headers = mail!.raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
      const signature = /^DKIM-Signature: (.*)$/m.exec(headers)?.[1] ?? '';
      expect(signature).toMatch(/\bd=acme\.example\b/);
      expect(signature).toMatch(/\bs=kefu2026\b/);
      expect(signature).toMatch(/\bb=[A-Za-z0-9+/=\s]{100,}/);
    } finally {
      await signed.jobs.drain();
      await signed.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
