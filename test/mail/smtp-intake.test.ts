import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import net from 'node:net';
import { SmtpListener, startMailIntake } from '../../src/modules/mail/inbound/index.js';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { apiToken, outboxOf, startIntake, ticketsOf, type Intake } from './mail-helpers.js';

const run = promisify(execFile);
let t: TestApp;
let intake: Intake;
let token: string;
let n = 0;
const uniqueId = () => `<m${Date.now()}.${++n}@customer.example>`;

beforeAll(async () => {
  t = await createTestApp();
  const sales = (await t.services.tickets.departments(t.workspace.id)).find((d) => d.key === 'sales')!;
  await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'Support@Acme.example', displayName: 'Acme support', departmentId: sales.id });
  intake = await startIntake(t);
  token = await apiToken(t);
});
afterAll(async () => {
  await intake?.stop();
  await t?.close();
});
beforeEach(async () => { await t.jobs.drain(); });

describe('SMTP listener → ticket', () => {
  it('turns mail sent by nodemailer into a ticket in the address\'s department, creates the customer and queues one acknowledgement', async () => {
    const messageId = uniqueId();
    const sent = await intake.send({ from: '"Li Lei" <li.lei@customer.example>', to: 'support@acme.example', subject: '打印机卡纸 paper jam', text: '我的打印机一直卡纸。\n\n-- \nLi Lei\nCEO', messageId });
    expect(sent.response).toMatch(/^250/);
    await t.jobs.drain();
    const tickets = (await ticketsOf(t)).filter((x) => x.email === 'li.lei@customer.example');
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ subject: '打印机卡纸 paper jam', channel: 'email', locale: 'zh-CN' });
    const sales = (await t.services.tickets.departments(t.workspace.id)).find((d) => d.key === 'sales')!;
    expect(tickets[0]!.department_id).toBe(sales.id);
    const thread = await t.services.tickets.thread(t.workspace.id, tickets[0]!.id, { includeNotes: false });
    expect(thread[0]!.body_text).toContain('我的打印机一直卡纸');
    const acks = (await outboxOf(t)).filter((m) => m.to_address.includes('li.lei@customer.example'));
    expect(acks).toHaveLength(1);
    expect(acks[0]!.subject).toContain(`#${tickets[0]!.number}`);
    expect(acks[0]!.locale).toBe('zh-CN');
    expect((acks[0] as { auto_submitted?: string }).auto_submitted).toBe('auto-replied');

    // The reply (In-Reply-To our acknowledgement's or the customer's own id) lands on the same ticket.
    await intake.send({ from: 'li.lei@customer.example', to: 'support@acme.example', subject: 'Re: 打印机卡纸 paper jam', text: 'Still jammed.\n\nOn Mon, 23 Nov 2026, Acme wrote:\n> earlier text', inReplyTo: messageId, references: [messageId], messageId: uniqueId() });
    await t.jobs.drain();
    expect((await ticketsOf(t)).filter((x) => x.email === 'li.lei@customer.example')).toHaveLength(1);
    const after = await t.services.tickets.thread(t.workspace.id, tickets[0]!.id, { includeNotes: false });
    expect(after).toHaveLength(2);
    expect(after[1]!.body_text).toBe('Still jammed.');
  });

  it('accepts mail from swaks and from Python\'s smtplib', async () => {
    await run('swaks', ['--server', `127.0.0.1:${intake.port}`, '--from', 'swaks@customer.example', '--to', 'support@acme.example',
      '--header', 'Subject: Sent by swaks', '--body', 'Hello from swaks', '--silent', '2']);
    const python = `import smtplib\nfrom email.message import EmailMessage\nm = EmailMessage()\nm['From'] = 'py@customer.example'\nm['To'] = 'support@acme.example'\nm['Subject'] = '来自 Python'\nm.set_content('你好')\ns = smtplib.SMTP('127.0.0.1', ${intake.port})\ns.send_message(m)\ns.quit()\n`;
    await run('python3', ['-c', python]);
    await t.jobs.drain();
    const subjects = (await ticketsOf(t)).map((x) => `${x.email} ${x.subject}`);
    expect(subjects).toContain('swaks@customer.example Sent by swaks');
    expect(subjects).toContain('py@customer.example 来自 Python');
  });

  it('refuses mail for an address of no workspace with 550 5.1.1 at RCPT and stores nothing', async () => {
    const before = await t.database.db.selectFrom('mail_inbound').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const error = await intake.send({ from: 'x@customer.example', to: 'nobody@nowhere.example', subject: 'lost', text: 'lost' }).catch((e: { responseCode?: number; response?: string }) => e);
    expect(error).toMatchObject({ responseCode: 550 });
    expect((error as { response: string }).response).toContain('5.1.1');
    const after = await t.database.db.selectFrom('mail_inbound').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('refuses a 50 MB message with 552 and keeps nothing of it', async () => {
    const before = await t.database.db.selectFrom('mail_inbound').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const big = Buffer.alloc(50 * 1024 * 1024, 'a');
    const error = await intake.send({ from: 'big@customer.example', to: 'support@acme.example', subject: 'huge', text: 'see attachment', attachments: [{ filename: 'big.txt', content: big }] })
      .catch((e: { responseCode?: number }) => e);
    expect(error).toMatchObject({ responseCode: 552 });
    const after = await t.database.db.selectFrom('mail_inbound').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('stores a redelivered Message-ID once and makes one ticket of it', async () => {
    const messageId = uniqueId();
    for (let i = 0; i < 3; i++) {
      const sent = await intake.send({ from: 'again@customer.example', to: 'support@acme.example', subject: 'Sent three times', text: 'same mail', messageId });
      expect(sent.response).toMatch(/^250/);
    }
    await t.jobs.drain();
    expect((await ticketsOf(t)).filter((x) => x.email === 'again@customer.example')).toHaveLength(1);
    const rows = await t.database.db.selectFrom('mail_inbound').select('id').where('message_id', '=', messageId.slice(1, -1)).execute();
    expect(rows).toHaveLength(1);
  });

  it('answers 451 when one sender sends more than the per-minute limit', async () => {
    const limited = await startIntake(t, { perSenderPerMinute: 2 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const result = await limited.send({ from: 'flood@customer.example', to: 'support@acme.example', subject: `flood ${i}`, text: 'x' })
          .then(() => 250, (e: { responseCode?: number }) => e.responseCode ?? 0);
        codes.push(result);
      }
      expect(codes).toEqual([250, 250, 451]);
    } finally {
      await limited.stop();
    }
  });

  it('neutralises header injection in the subject', async () => {
    const injected = `=?UTF-8?B?${Buffer.from('Hello\r\nBcc: victim@example.com\r\nX-Evil: 1').toString('base64')}?=`;
    await intake.send({ envelope: { from: 'inject@customer.example', to: ['support@acme.example'] }, raw: `From: inject@customer.example\r\nTo: support@acme.example\r\nSubject: ${injected}\r\nMessage-ID: ${uniqueId()}\r\n\r\nbody\r\n` });
    await t.jobs.drain();
    const ticket = (await ticketsOf(t)).find((x) => x.email === 'inject@customer.example')!;
    expect(ticket.subject).toBe('Hello Bcc: victim@example.com X-Evil: 1');
    const ack = (await outboxOf(t)).find((m) => m.to_address.includes('inject@customer.example'))!;
    expect(ack.subject).not.toMatch(/[\r\n]/);
  });

  it('parks a message that is not mail, lists it with its reason, keeps the raw bytes downloadable and lets an admin retry it', async () => {
    await intake.send({ envelope: { from: 'junk@customer.example', to: ['support@acme.example'] }, raw: '\u0000\u0001\u0002 not a mail at all' });
    await t.jobs.drain();
    const list = await t.app.http.inject({ method: 'GET', url: '/api/v1/mail/inbound?status=parked', headers: { authorization: `Bearer ${token}` } });
    expect(list.statusCode).toBe(200);
    const parked = (list.json() as { messages: { id: string; reason: string; envelopeFrom: string }[] }).messages.find((m) => m.envelopeFrom === 'junk@customer.example')!;
    expect(parked.reason).toMatch(/no sender|Not a mail/);
    const raw = await t.app.http.inject({ method: 'GET', url: `/api/v1/mail/inbound/${parked.id}/raw`, headers: { authorization: `Bearer ${token}` } });
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-type']).toBe('message/rfc822');
    expect(raw.body).toContain('not a mail at all');
    const retried = await t.app.http.inject({ method: 'POST', url: `/api/v1/mail/inbound/${parked.id}/retry`, headers: { authorization: `Bearer ${token}` } });
    expect(retried.statusCode).toBe(202);
    await t.jobs.drain();
    const again = await t.services.mailInbound.inbound.message(t.workspace.id, parked.id);
    expect(again).toMatchObject({ status: 'parked', attempts: 2 });
    const notParked = await t.app.http.inject({ method: 'POST', url: `/api/v1/mail/inbound/${crypto.randomUUID()}/retry`, headers: { authorization: `Bearer ${token}` } });
    expect(notParked.statusCode).toBe(404);
  });

  it('offers STARTTLS when a certificate is configured, and takes mail over TLS', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kefu-smtp-tls-'));
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost']);
    const listener = new SmtpListener(t.services.mailInbound.inbound, t.services.mailInbound.addresses, {
      host: '127.0.0.1', port: 0, maxBytes: 1024 * 1024, tlsCertFile: cert, tlsKeyFile: key, perSenderPerMinute: 100, perIpPerMinute: 100,
    }, { info() {}, warn() {}, error() {} });
    const port = await listener.start();
    try {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
      const sent = await transport.sendMail({ from: 'tls@customer.example', to: 'support@acme.example', subject: 'Over TLS', text: 'encrypted', messageId: uniqueId() });
      expect(sent.response).toMatch(/^250/);
      await t.jobs.drain();
      expect((await ticketsOf(t)).map((x) => x.subject)).toContain('Over TLS');
      // Without a certificate the listener does not offer STARTTLS, so requireTLS fails.
      const plain = nodemailer.createTransport({ host: '127.0.0.1', port: intake.port, secure: false, requireTLS: true });
      await expect(plain.sendMail({ from: 'tls@customer.example', to: 'support@acme.example', subject: 'x', text: 'x' })).rejects.toThrow();
    } finally {
      await listener.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs without the listener when its port is taken (role all), and fails when the listener is all it does (role mail)', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', () => resolve()));
    const port = (squatter.address() as net.AddressInfo).port;
    const config = { ...t.config, mail: { ...t.config.mail, smtpHost: '127.0.0.1', smtpPort: port } };
    const quiet = { info() {}, warn() {}, error() {} };
    try {
      const intakeWithoutListener = await startMailIntake(t.services.mailInbound, config, quiet, { listenerRequired: false });
      expect(intakeWithoutListener.smtpPort).toBeNull();
      await intakeWithoutListener.stop();
      await expect(startMailIntake(t.services.mailInbound, config, quiet, { listenerRequired: true })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await t.services.mailInbound.poller.stop();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('pages the received-mail log newest first and refuses a bad cursor or filter', async () => {
    const first = await t.app.http.inject({ method: 'GET', url: '/api/v1/mail/inbound?limit=2', headers: { authorization: `Bearer ${token}` } });
    const page = first.json() as { messages: { id: string; receivedAt: string }[]; nextCursor: string };
    expect(page.messages).toHaveLength(2);
    expect(page.nextCursor).toBeTruthy();
    const second = (await t.app.http.inject({ method: 'GET', url: `/api/v1/mail/inbound?limit=2&cursor=${page.nextCursor}`, headers: { authorization: `Bearer ${token}` } })).json() as typeof page;
    expect(second.messages.map((m) => m.id)).not.toContain(page.messages[0]!.id);
    expect(new Date(second.messages[0]!.receivedAt).getTime()).toBeLessThanOrEqual(new Date(page.messages[1]!.receivedAt).getTime());
    for (const query of ['cursor=nonsense', 'status=lost', 'limit=0', 'limit=1000', 'extra=1']) {
      const res = await t.app.http.inject({ method: 'GET', url: `/api/v1/mail/inbound?${query}`, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, query).toBe(400);
    }
    expect((await t.app.http.inject({ method: 'GET', url: '/api/v1/mail/inbound' })).statusCode).toBe(401);
  });
});
