import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/helpers/app.js';
import { SmtpSink, eventually } from '../../../../../test/mail/outbound-sink.js';
import type { InboundRoute } from '../inbound.service.js';
import { parseInbound } from '../inbound.parse.js';
import { senderVerified } from '../inbound.sender.js';

let t: TestApp;
let sink: SmtpSink;
let route: InboundRoute;
let n = 0;

function eml(headers: Record<string, string>, body = 'Hello'): Buffer {
  const all = { 'Message-ID': `<sec${Date.now()}.${++n}@customer.example>`, To: 'help@acme.example', ...headers };
  return Buffer.from(`${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}\r\n`);
}

async function accept(raw: Buffer, envelopeFrom: string | null = 'sender@customer.example') {
  return t.services.mailInbound.inbound.accept(raw, { from: envelopeFrom, recipients: [route], remoteIp: '127.0.0.1', source: 'smtp' });
}

const inboundRows = () => t.database.db.selectFrom('mail_inbound').selectAll().where('workspace_id', '=', t.workspace.id).orderBy('received_at').execute();

beforeAll(async () => {
  sink = await SmtpSink.start();
  t = await createTestApp({ KEFU_SMTP_URL: sink.url });
  const address = await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'help@acme.example', locale: 'en' });
  route = { workspace_id: t.workspace.id, id: address.id, address: address.address };
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

describe('a hostile HTML mail', () => {
  // The one wall-clock check the issue asks for (issue 12 #1): the event loop must stay responsive.
  it('leaves /healthz answering within 500 ms while a 60k-deep nested HTML mail is processed, and parks that mail with a reason', async () => {
    // The parser loads with the first message a process parses (some 190 ms of module loading, once):
    // a plain mail first, so what is measured is what the hostile one costs.
    await accept(eml({ From: 'plain@customer.example', Subject: 'plain' }));
    await t.jobs.drain();
    const depth = 60_000;
    const raw = eml({ 'Message-ID': '<deep-html@customer.example>', From: 'deep@customer.example', Subject: 'deep', 'Content-Type': 'text/html; charset=utf-8' }, `${'<div>'.repeat(depth)}x${'</div>'.repeat(depth)}`);
    await accept(raw);
    let processing = true;
    const processed = t.jobs.drain().finally(() => { processing = false; });
    let slowest = 0;
    let probes = 0;
    while (processing) {
      // A probe due every 20 ms, as a load balancer would send it: measured from when it was due,
      // so a blocked event loop shows whether it blocks the timer or the request.
      const due = performance.now() + 20;
      await new Promise((resolve) => setTimeout(resolve, 20));
      const response = await t.app.http.inject({ method: 'GET', url: '/healthz' });
      expect(response.statusCode).toBe(200);
      slowest = Math.max(slowest, performance.now() - due);
      probes++;
    }
    await processed;
    expect(probes).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(500);
    const row = (await inboundRows()).find((r) => r.message_id === 'deep-html@customer.example');
    expect(row?.status).toBe('parked');
    expect(row?.reason).toMatch(/^HTML_TOO_COMPLEX/);
  });
});

describe('MIME parser limits (issue 12 #16)', () => {
  it('parks a mail over the parser\'s limits after one attempt, instead of retrying it as if the fault were passing', async () => {
    const raw = eml({ 'Message-ID': '<huge-header@customer.example>', From: 'huge@customer.example', Subject: 'huge', 'X-Filler': 'x'.repeat(1_200_000) });
    await accept(raw);
    await t.jobs.drain();
    const row = (await inboundRows()).find((r) => r.message_id === 'huge-header@customer.example');
    expect(row?.status).toBe('parked');
    expect(row?.reason).toMatch(/^MAIL_TOO_COMPLEX/);
    expect(row?.attempts).toBe(1);
  });
});

describe('bidi controls in mail (issue 12 #16)', () => {
  it('removes right-to-left overrides from subjects and attachment file names', async () => {
    const boundary = 'rtl-boundary';
    const raw = eml({
      'Message-ID': '<rtl@customer.example>', From: 'rtl@customer.example', Subject: '=?UTF-8?B?' + Buffer.from('Invoice \u202egnp.exe\u202c \u2066ok\u2069').toString('base64') + '?=',
      'MIME-Version': '1.0', 'Content-Type': `multipart/mixed; boundary="${boundary}"`,
    }, [
      `--${boundary}`, 'Content-Type: text/plain', '', 'See attached.', '',
      `--${boundary}`, 'Content-Type: application/pdf', `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent('scan\u202efdp.txt')}`, 'Content-Transfer-Encoding: base64', '',
      Buffer.from('%PDF-1.4').toString('base64'), `--${boundary}--`,
    ].join('\r\n'));
    await accept(raw);
    await t.jobs.drain();
    const ticket = await t.database.db.selectFrom('tickets').select(['id', 'subject']).where('workspace_id', '=', t.workspace.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(ticket.subject).toBe('Invoice gnp.exe ok');
    const files = await t.database.db.selectFrom('ticket_attachments as a').innerJoin('ticket_messages as m', 'm.id', 'a.message_id')
      .select('a.filename').where('m.ticket_id', '=', ticket.id).execute();
    expect(files).toEqual([{ filename: 'scanfdp.txt' }]);
  });
});

/** An RFC 3464 report saying mail with `originalId` to `recipient` failed. */
function dsn(recipient: string, originalId: string): Buffer {
  const boundary = 'dsn-boundary';
  return Buffer.from([
    'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>', 'To: help@acme.example', 'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <dsn${Date.now()}.${++n}@mx.customer.example>`, 'Auto-Submitted: auto-replied', 'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`, '',
    `--${boundary}`, 'Content-Type: text/plain', '', 'Your message could not be delivered.', '',
    `--${boundary}`, 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.customer.example', '',
    `Final-Recipient: rfc822; ${recipient}`, 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 User unknown', '',
    `--${boundary}`, 'Content-Type: text/rfc822-headers', '', `Message-ID: <${originalId}>`, 'Subject: Anything', '',
    `--${boundary}--`, '',
  ].join('\r\n'));
}

const health = (address: string) => t.database.db.selectFrom('mail_address_health').selectAll()
  .where('workspace_id', '=', t.workspace.id).where('address', '=', address).executeTakeFirst();

describe('delivery reports (issue 12 #12)', () => {
  it('ignores a report about mail Kefu never sent, whoever it names', async () => {
    await accept(dsn('forged-victim@customer.example', 'never-sent-by-us@elsewhere.example'), '');
    await t.jobs.drain();
    expect(await health('forged-victim@customer.example')).toBeUndefined();
    const row = (await inboundRows()).at(-1)!;
    expect(row).toMatchObject({ status: 'processed', outcome: 'ignored' });
  });

  it('ignores a report naming a different recipient than the mail it refers to', async () => {
    const sent = await t.services.outbox.queue(t.workspace.id, { to: 'real-recipient@customer.example', template: 'passwordReset', locale: 'en', vars: { name: 'R', workspace: 'Acme', link: 'http://x' } });
    await accept(dsn('someone-else@customer.example', sent.messageId), '');
    await t.jobs.drain();
    expect(await health('someone-else@customer.example')).toBeUndefined();
  });

  it('marks the recipient of our own bounced mail failing, and a later accepted delivery clears it', async () => {
    const mail = (subject: string) => ({ to: 'flaky@customer.example', template: 'passwordReset' as const, locale: 'en' as const, vars: { name: subject, workspace: 'Acme', link: 'http://x' } });
    const first = await t.services.outbox.queue(t.workspace.id, mail('first'));
    await t.jobs.drain();
    await accept(dsn('flaky@customer.example', first.messageId), '');
    await t.jobs.drain();
    expect(await health('flaky@customer.example')).toMatchObject({ status: 'failing', bounce_count: 1 });
    await t.services.outbox.queue(t.workspace.id, mail('second'));
    await t.jobs.drain();
    await eventually(async () => (await health('flaky@customer.example'))?.status === 'ok');
  });
});

describe('forged senders (issue 12 #6)', () => {
  const ticketsOf = (email: string) => t.database.db.selectFrom('tickets').innerJoin('customers', 'customers.id', 'tickets.customer_id')
    .select(['tickets.id', 'tickets.number']).where('customers.email', '=', email).where('tickets.workspace_id', '=', t.workspace.id).orderBy('tickets.number').execute();

  it('does not add a mail with a forged From and the ticket token to that customer\'s ticket', async () => {
    await accept(eml({ From: 'spoofed-owner@customer.example', Subject: 'My order' }), 'spoofed-owner@customer.example');
    await t.jobs.drain();
    const [ticket] = await ticketsOf('spoofed-owner@customer.example');
    await accept(eml({ From: 'spoofed-owner@customer.example', Subject: `Re: [#${ticket!.number}] My order` }, 'forged words'), 'attacker@evil.example');
    await t.jobs.drain();
    const thread = await t.services.tickets.thread(t.workspace.id, ticket!.id, { includeNotes: true });
    expect(thread.map((m) => m.body_text)).not.toContain('forged words');
    // The owner's own reply (aligned envelope) still threads.
    await accept(eml({ From: 'spoofed-owner@customer.example', Subject: `Re: [#${ticket!.number}] My order` }, 'real follow-up'), 'bounces+x@mail.customer.example');
    await t.jobs.drain();
    const after = await t.services.tickets.thread(t.workspace.id, ticket!.id, { includeNotes: true });
    expect(after.map((m) => m.body_text)).toContain('real follow-up');
  });

  it('with an authserv-id set, believes only that MTA\'s Authentication-Results', async () => {
    const mail = (results: string[]) => parseInbound(Buffer.from([...results.map((r) => `Authentication-Results: ${r}`), 'From: a@customer.example', 'Subject: x', '', 'body', ''].join('\r\n')));
    const id = 'mx.acme.example';
    expect(senderVerified(await mail([`${id}; dmarc=pass header.from=customer.example`]), 'a@customer.example', null, id)).toBe(true);
    expect(senderVerified(await mail([`${id}; dkim=pass header.d=customer.example; spf=fail`]), 'a@customer.example', null, id)).toBe(true);
    expect(senderVerified(await mail([`${id}; dmarc=fail; dkim=pass header.d=evil.example`]), 'a@customer.example', null, id)).toBe(false);
    // A header the sender wrote under another id counts for nothing, nor does an aligned envelope.
    expect(senderVerified(await mail(['mx.evil.example; dmarc=pass']), 'a@customer.example', 'a@customer.example', id)).toBe(false);
  });
});
