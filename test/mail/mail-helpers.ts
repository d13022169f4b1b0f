import nodemailer from 'nodemailer';
import { SmtpListener } from '../../src/modules/mail/inbound/index.js';
import type { TestApp } from '../helpers/app.js';

type MailOptions = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0];

export interface Intake {
  port: number;
  listener: SmtpListener;
  send(mail: MailOptions): Promise<{ response: string }>;
  stop(): Promise<void>;
}

/** The real SMTP listener on a free port, in front of the test app's pipeline (inline jobs). */
export async function startIntake(t: TestApp, limits: Partial<{ maxBytes: number; perSenderPerMinute: number; perIpPerMinute: number }> = {}): Promise<Intake> {
  const listener = new SmtpListener(t.services.mailInbound.inbound, t.services.mailInbound.addresses, {
    host: '127.0.0.1', port: 0, maxBytes: limits.maxBytes ?? t.config.mail.maxBytes,
    perSenderPerMinute: limits.perSenderPerMinute ?? 1000, perIpPerMinute: limits.perIpPerMinute ?? 10_000,
  }, { info() {}, warn() {}, error() {} });
  const port = await listener.start();
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: false });
  return {
    port,
    listener,
    send: async (mail) => (await transport.sendMail(mail)) as { response: string },
    stop: async () => {
      transport.close();
      await listener.stop();
    },
  };
}

export async function apiToken(t: TestApp): Promise<string> {
  return (await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'mail-tests', { type: 'system', id: null })).token;
}

/** Tickets of the test workspace with their customer's e-mail, oldest first. */
export async function ticketsOf(t: TestApp, workspaceId = t.workspace.id) {
  return t.database.db.selectFrom('tickets').innerJoin('customers', 'customers.id', 'tickets.customer_id')
    .select(['tickets.id', 'tickets.number', 'tickets.subject', 'tickets.status', 'tickets.channel', 'tickets.department_id', 'customers.email', 'customers.locale'])
    .where('tickets.workspace_id', '=', workspaceId).orderBy('tickets.number').execute();
}

export async function outboxOf(t: TestApp, template = 'autoresponse') {
  return t.database.db.selectFrom('mail_outbox').selectAll().where('workspace_id', '=', t.workspace.id).where('template', '=', template).execute();
}
