import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { Autoresponder } from '../../src/modules/mail/inbound/index.js';
import { Tenancy } from '../../src/core/tenancy.js';
import type { InboundRoute } from '../../src/modules/mail/inbound/inbound.service.js';
import { apiToken, outboxOf, ticketsOf } from './mail-helpers.js';

let t: TestApp;
let route: InboundRoute;
let n = 0;

/** A message as an SMTP client would hand it over, with CRLF line ends. */
function eml(headers: Record<string, string>, body = 'Hello'): Buffer {
  const all = { 'Message-ID': `<t${Date.now()}.${++n}@customer.example>`, To: 'help@acme.example', ...headers };
  return Buffer.from(`${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}\r\n`);
}

async function deliver(raw: Buffer, envelopeFrom: string | null = 'sender@customer.example') {
  await t.services.mailInbound.inbound.accept(raw, { from: envelopeFrom, recipients: [route], remoteIp: '127.0.0.1', source: 'smtp' });
  await t.jobs.drain();
}

/** The deadline as acknowledgements state it: in the workspace's time zone, named, and the reader's language. */
async function dueText(due: Date, locale: 'en' | 'zh-CN') {
  const workspace = await t.services.accounts.workspace(t.workspace.id);
  return DateTime.fromJSDate(due).setZone(workspace.time_zone).setLocale(locale).toLocaleString({ ...DateTime.DATETIME_MED, timeZoneName: 'long' });
}

const byEmail = async (email: string) => (await ticketsOf(t)).filter((x) => x.email === email);
const acksTo = async (email: string) => (await outboxOf(t)).filter((m) => m.to_address.includes(email));

beforeAll(async () => {
  t = await createTestApp();
  const address = await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'help@acme.example', locale: 'en' });
  route = { workspace_id: t.workspace.id, id: address.id, address: address.address };
});
afterAll(async () => { await t?.close(); });

describe('threading', () => {
  it('threads a subject token only for the ticket\'s own customer; a stranger quoting it gets a ticket of their own', async () => {
    await deliver(eml({ From: 'owner@customer.example', Subject: 'My order' }));
    const [ticket] = await byEmail('owner@customer.example');
    await deliver(eml({ From: 'owner@customer.example', Subject: `Re: [#${ticket!.number}] My order` }, 'more from the owner'));
    expect(await byEmail('owner@customer.example')).toHaveLength(1);
    await deliver(eml({ From: 'stranger@elsewhere.example', Subject: `Re: [#${ticket!.number}] My order` }, 'I quote a token'));
    expect(await byEmail('stranger@elsewhere.example')).toHaveLength(1);
    const thread = await t.services.tickets.thread(t.workspace.id, ticket!.id, { includeNotes: true });
    expect(thread.map((m) => m.body_text)).not.toContain('I quote a token');
  });

  it('never puts a stranger\'s reply to another customer\'s mail on that ticket, even with a matching In-Reply-To', async () => {
    const original = `<orig${Date.now()}@customer.example>`;
    await deliver(eml({ From: 'first@customer.example', Subject: 'Question', 'Message-ID': original }));
    await deliver(eml({ From: 'second@customer.example', Subject: 'Re: Question', 'In-Reply-To': original }));
    expect(await byEmail('first@customer.example')).toHaveLength(1);
    expect(await byEmail('second@customer.example')).toHaveLength(1);
  });

  it('reopens a solved ticket when its customer replies, and opens a new ticket for a reply to a closed one', async () => {
    const original = `<solve${Date.now()}@customer.example>`;
    await deliver(eml({ From: 'solved@customer.example', Subject: 'Fix me', 'Message-ID': original }));
    const [ticket] = await byEmail('solved@customer.example');
    await t.services.tickets.update(t.workspace.id, ticket!.id, { status: 'solved' }, { type: 'system', id: null });
    await deliver(eml({ From: 'solved@customer.example', Subject: 'Re: Fix me', 'In-Reply-To': original, References: original }));
    expect((await t.services.tickets.ticket(t.workspace.id, ticket!.id)).status).toBe('open');
    await t.services.tickets.update(t.workspace.id, ticket!.id, { status: 'closed' }, { type: 'system', id: null });
    await deliver(eml({ From: 'solved@customer.example', Subject: 'Re: Fix me', 'In-Reply-To': original }));
    expect(await byEmail('solved@customer.example')).toHaveLength(2);
  });

  it('threads a reply to the acknowledgement that kept only its subject (no In-Reply-To, no References)', async () => {
    await deliver(eml({ From: 'acked@customer.example', Subject: 'Toner smears' }));
    const [ticket] = await byEmail('acked@customer.example');
    const [ack] = await acksTo('acked@customer.example');
    expect(ack!.subject).toBe(`We received your request: Toner smears [#${ticket!.number}]`);
    // A mail client that drops the threading headers but keeps the subject, as webmail forwards do.
    await deliver(eml({ From: 'acked@customer.example', Subject: `Re: ${ack!.subject}` }, 'It still smears after cleaning.'));
    expect(await byEmail('acked@customer.example')).toHaveLength(1);
    const thread = await t.services.tickets.thread(t.workspace.id, ticket!.id, { includeNotes: false });
    expect(thread.map((m) => m.body_text)).toContain('It still smears after cleaning.');
  });

  it('follows References when Outlook rewrote In-Reply-To', async () => {
    const original = `<ol${Date.now()}@customer.example>`;
    await deliver(eml({ From: 'outlook@customer.example', Subject: 'Thread', 'Message-ID': original }));
    await deliver(eml({ From: 'outlook@customer.example', Subject: 'RE: Thread', 'In-Reply-To': '<unknown-rewritten@outlook.example>', References: `${original} <unknown-rewritten@outlook.example>` }));
    expect(await byEmail('outlook@customer.example')).toHaveLength(1);
  });
});

describe('autoresponder', () => {
  it.each([
    ['Auto-Submitted: auto-replied', { 'Auto-Submitted': 'auto-replied' }, 'auto-submitted'],
    ['Precedence: bulk', { Precedence: 'bulk' }, 'precedence-bulk'],
    ['a mailing list', { 'List-Id': '<news.list.example>' }, 'mailing-list'],
    ['X-Auto-Response-Suppress: All', { 'X-Auto-Response-Suppress': 'All' }, 'x-auto-response-suppress'],
  ])('makes a ticket but never answers %s', async (_name, headers, reason) => {
    const email = `robot-${reason}@customer.example`;
    await deliver(eml({ From: email, Subject: `Automatic ${reason}`, ...headers }));
    expect(await byEmail(email)).toHaveLength(1);
    expect(await acksTo(email)).toHaveLength(0);
    const row = await t.database.db.selectFrom('mail_inbound').select('autoreply_suppressed').where('from_address', '=', email).executeTakeFirstOrThrow();
    expect(row.autoreply_suppressed).toBe(reason);
  });

  it('never answers a null reverse-path, and ignores mail from our own address', async () => {
    await deliver(eml({ From: 'nullpath@customer.example', Subject: 'From <>' }), '');
    expect(await acksTo('nullpath@customer.example')).toHaveLength(0);
    await deliver(eml({ From: 'help@acme.example', Subject: 'Our own mail came back' }));
    expect(await byEmail('help@acme.example')).toHaveLength(0);
  });

  it('acknowledges at most three tickets per sender and hour, so two autoresponders cannot loop', async () => {
    for (let i = 0; i < 5; i++) await deliver(eml({ From: 'chatty@customer.example', Subject: `Question ${i}` }));
    expect(await byEmail('chatty@customer.example')).toHaveLength(5);
    const acks = await acksTo('chatty@customer.example');
    expect(acks).toHaveLength(3);
    expect(acks[0]!.text_body).toMatch(/#\d+/);
  });

  it('acknowledges a web-form ticket in the customer\'s language, with the expected first-response time', async () => {
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: '网页表单', body: '请帮忙', channel: 'web', customer: { email: 'web@customer.example', name: '网页', locale: 'zh-CN' } }, { type: 'customer', id: null });
    await t.jobs.drain();
    const [ack] = await acksTo('web@customer.example');
    expect(ack!.locale).toBe('zh-CN');
    expect(ack!.subject).toContain(`#${ticket.number}`);
    const { first_response_due_at: due } = await t.services.tickets.ticket(t.workspace.id, ticket.id);
    expect(due).toBeInstanceOf(Date);
    expect(ack!.text_body).toContain(`我们会在 ${await dueText(due!, 'zh-CN')} 之前给您首次答复`);
    expect(ack!.text_body).not.toContain('尽快答复');
  });

  it('states the SLA\'s due time even when the acknowledgement is written before the SLA has set the ticket\'s deadline', async () => {
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: 'Form', body: 'help', channel: 'web', customer: { email: 'early@customer.example', name: 'Early', locale: 'en' } }, { type: 'customer', id: null });
    await t.jobs.drain();
    const { first_response_due_at: due } = await t.services.tickets.ticket(t.workspace.id, ticket.id);
    // As if the acknowledgement's job ran before the SLA's subscriber: no deadline on the ticket yet.
    await t.database.db.updateTable('tickets').set({ first_response_due_at: null }).where('id', '=', ticket.id).execute();
    await t.database.db.deleteFrom('mail_autoresponses').where('ticket_id', '=', ticket.id).execute();
    await t.database.db.deleteFrom('mail_outbox').where('idempotency_key', '=', `autoresponse:${ticket.id}`).execute();
    expect(await t.services.mailInbound.autoresponder.respond(t.workspace.id, ticket.id, { suppressed: null })).toBe('queued');
    const [ack] = await acksTo('early@customer.example');
    expect(ack!.text_body).toContain(`You can expect our first answer by ${await dueText(due!, 'en')}.`);
    expect(ack!.text_body).not.toContain('as soon as we can');
  });

  it('answers in the language the customer wrote in, whatever the address\'s language, and names the time zone of the promised time', async () => {
    // help@acme.example is an English address: a Chinese mail to it is acknowledged in Chinese.
    await deliver(eml({ From: 'zhongwen@customer.example', Subject: '打印机卡纸' }, '您好，打印机每页都卡纸。'));
    const [zh] = await acksTo('zhongwen@customer.example');
    expect(zh).toMatchObject({ locale: 'zh-CN' });
    expect(zh!.subject).toMatch(/^我们已收到您的请求：打印机卡纸 \[#\d+\]$/);
    expect(zh!.text_body).toContain('中国标准时间');
    // And a Chinese address answers an English mail in English.
    const chinese = await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'kefu@acme.example', locale: 'zh-CN' });
    const raw = eml({ From: 'english@customer.example', Subject: 'Paper jam', To: 'kefu@acme.example' }, 'Every page jams.');
    await t.services.mailInbound.inbound.accept(raw, { from: 'english@customer.example', recipients: [{ workspace_id: t.workspace.id, id: chinese.id, address: chinese.address }], remoteIp: '127.0.0.1', source: 'smtp' });
    await t.jobs.drain();
    const [en] = await acksTo('english@customer.example');
    expect(en).toMatchObject({ locale: 'en' });
    expect(en!.text_body).toMatch(/You can expect our first answer by .+ China Standard Time\./);
  });

  it('sends an agent\'s reply in the language of the customer\'s last message when they chose none', async () => {
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: '退货', body: '我想退货，发票在附件里。', channel: 'email', customer: { email: 'nolocale@customer.example', name: '无语言' } }, { type: 'customer', id: null });
    expect((await t.services.accounts.customer(t.workspace.id, ticket.customer_id)).locale).toBeNull();
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: '好的，已为您办理。' }, { type: 'agent', id: t.workspace.admin.id });
    await t.jobs.drain();
    const [reply] = (await outboxOf(t, 'agentReply')).filter((m) => m.to_address === 'nolocale@customer.example');
    expect(reply).toMatchObject({ locale: 'zh-CN', subject: `回复：退货 [#${ticket.number}]` });
  });

  it('lists up to three suggested articles when search finds answers', async () => {
    const responder = new Autoresponder(
      // The same wiring as the app, with a search port that knows four articles.
      await Tenancy.load(t.database.db), t.services.tickets, t.services.accounts, t.services.outbox,
      { bestAnswers: async () => [1, 2, 3, 4].map((i) => ({ title: `Article ${i}`, url: `/kb/article-${i}` })) },
      t.services.sla,
      { publicUrl: 'https://help.acme.example', perSenderPerHour: 3 },
    );
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: 'Paper jam', body: 'jam', channel: 'email', customer: { email: 'kb@customer.example', name: 'KB' } }, { type: 'customer', id: null });
    expect(await responder.respond(t.workspace.id, ticket.id, { suppressed: null })).toBe('queued');
    expect(await responder.respond(t.workspace.id, ticket.id, { suppressed: null })).toBe('already-decided');
    const [ack] = await acksTo('kb@customer.example');
    expect(ack!.text_body).toContain('https://help.acme.example/kb/article-3');
    expect(ack!.text_body).not.toContain('article-4');
  });
});

describe('bounces', () => {
  it('marks the bounced address failing, creates no ticket, and shows it on the customer', async () => {
    await deliver(eml({ From: 'victim@customer.example', Subject: 'Will bounce later' }));
    const [ticket] = await byEmail('victim@customer.example');
    const [ack] = await acksTo('victim@customer.example');
    const bouncedId = (ack as unknown as { message_id: string }).message_id;
    const boundary = 'dsn-boundary';
    const dsn = Buffer.from([
      'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>', 'To: help@acme.example', 'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <dsn${Date.now()}@mx.customer.example>`, 'Auto-Submitted: auto-replied', 'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`, '',
      `--${boundary}`, 'Content-Type: text/plain', '', 'Your message could not be delivered.', '',
      `--${boundary}`, 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.customer.example', '',
      'Final-Recipient: rfc822; victim@customer.example', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 User unknown', '',
      `--${boundary}`, 'Content-Type: text/rfc822-headers', '', `Message-ID: <${bouncedId}>`, 'Subject: We received your request', '',
      `--${boundary}--`, '',
    ].join('\r\n'));
    const ticketsBefore = (await ticketsOf(t)).length;
    await deliver(dsn, '');
    expect((await ticketsOf(t)).length).toBe(ticketsBefore);
    const token = await apiToken(t);
    const res = await t.app.http.inject({ method: 'GET', url: `/api/v1/mail/customers/${(await t.services.tickets.ticket(t.workspace.id, ticket!.id)).customer_id}/delivery`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ address: 'victim@customer.example', status: 'failing', bounceCount: 1, lastBouncedMessageId: bouncedId });
    expect(res.json().lastReason).toContain('5.1.1');
    // A failing address gets no further acknowledgements.
    await deliver(eml({ From: 'victim@customer.example', Subject: 'Another one' }));
    expect(await acksTo('victim@customer.example')).toHaveLength(1);
  });
});
