import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { MailOutboundConfig } from '../../../core/config.js';

/** One message as handed to SMTP; header values were checked when the mail was queued. */
export interface SmtpMessage {
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Bare; the angle brackets are added here. */
  messageId: string;
  inReplyTo?: string;
  references: string[];
  autoSubmitted?: string;
  date: Date;
  attachments: { filename: string; contentType: string; content: Readable }[];
}

export type SmtpResult =
  | { ok: true; code: number | null; response: string }
  | { ok: false; permanent: boolean; code: number | null; response: string };

export interface SmtpSender {
  send(message: SmtpMessage): Promise<SmtpResult>;
}

/**
 * RFC 5321 §4.2.1: 4yz is a transient negative reply (try again later), 5yz a permanent one.
 * With no reply at all (refused, reset, timed out, DNS), it is transient; a message nodemailer could not even
 * build (EMESSAGE) or an envelope without recipients will not improve by waiting.
 */
export function classifySmtpError(error: unknown): { permanent: boolean; code: number | null; response: string } {
  const e = (error ?? {}) as { responseCode?: unknown; code?: unknown; response?: unknown; message?: unknown };
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const response = String(e.response ?? e.message ?? error).slice(0, 1000);
  if (code !== null) return { permanent: code >= 500, code, response };
  return { permanent: e.code === 'EMESSAGE' || e.code === 'EENVELOPE', code, response };
}

/** SMTP through nodemailer: one connection per message (no pool), so a server that comes back is simply used. */
export class NodemailerSender implements SmtpSender {
  private readonly options: SMTPTransport.Options;
  private transport: Promise<Transporter> | undefined;

  constructor(settings: NonNullable<MailOutboundConfig['smtp']>, dkim: MailOutboundConfig['dkim']) {
    this.options = {
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
      // Bounded waits: an attempt that hangs would hold its claim; these sum under the sweeper's stale
      // limit and under the job expiry (core/jobs, 40 s), after which a job is retried as lost.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 15_000,
      // Content comes from our own rows and attachment store, never from paths or URLs in a message.
      disableFileAccess: true,
      disableUrlAccess: true,
      dkim: dkim ? { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey: readFileSync(dkim.privateKeyFile, 'utf8') } : undefined,
    };
  }

  async send(message: SmtpMessage): Promise<SmtpResult> {
    try {
      // nodemailer loads with the first message sent: a server that sends no mail holds none of it (some 2 MB of heap).
      this.transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(this.options));
      const info = await (await this.transport).sendMail({
        from: message.from,
        replyTo: message.replyTo,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<${message.messageId}>`,
        inReplyTo: message.inReplyTo ? `<${message.inReplyTo}>` : undefined,
        references: message.references.length ? message.references.map((id) => `<${id}>`) : undefined,
        date: message.date,
        headers: message.autoSubmitted ? { 'Auto-Submitted': message.autoSubmitted } : undefined,
        attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      });
      const response = String(info.response ?? '');
      const code = Number(/^(\d{3})/.exec(response)?.[1]);
      return { ok: true, code: Number.isFinite(code) ? code : null, response: response.slice(0, 1000) };
    } catch (error) {
      return { ok: false, ...classifySmtpError(error) };
    } finally {
      for (const attachment of message.attachments) attachment.content.destroy();
    }
  }
}
