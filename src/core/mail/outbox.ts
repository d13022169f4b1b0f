import type { Kysely } from 'kysely';
import type { DB } from '../db/database.js';
import type { Locale } from '../i18n/index.js';

/**
 * The mail outbox as every module sees it: a mail is queued (in the caller's transaction, when
 * given) and sent later by a durable job. The mail module implements it (`mail/mail.outbox.ts`:
 * the `mail_outbox` table, senders, retries); modules that send mail (accounts' links, the CSAT
 * survey, the KB digest, the chat transcript …) depend on this port only, never on the mail module.
 */
export interface MailOutbox {
  /** Stores the mail; with an `idempotencyKey` already used in the workspace, returns that mail instead. */
  queue(workspaceId: string, mail: OutboundMail, trx?: Kysely<DB>): Promise<QueuedMail>;
}

/**
 * The templates a mail may name: the mail module fills this in from its catalogue (`mail.i18n.ts`,
 * entries `mail.<template>.subject` / `.body`) by declaration merging, so a template name is checked
 * where mail is queued.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MailTemplates {}
export type MailTemplate = keyof MailTemplates & string;

/** RFC 3834 `Auto-Submitted`: marks autoresponses and notifications so other robots do not answer them. */
export type AutoSubmitted = 'auto-replied' | 'auto-generated';

export interface OutboundMail {
  to: string;
  template: MailTemplate;
  locale: Locale;
  vars: Record<string, string>;
  /** The ticket this mail belongs to: its Message-ID is recorded for threading, a permanent failure is noted on it. */
  ticketId?: string;
  /** The ticket message this mail carries (an agent's reply). */
  ticketMessageId?: string;
  /** Message-IDs (with or without angle brackets) this mail answers and the thread before it. */
  inReplyTo?: string;
  references?: string[];
  autoSubmitted?: AutoSubmitted;
  /** An HTML alternative; the caller renders and sanitises it. The text body is always the catalogue's. */
  html?: string;
  /** Ticket attachments (ids) to attach; read from the attachment store at each attempt. */
  attachmentIds?: string[];
  /** Unique per workspace: queueing a second mail with the same key does nothing and returns the first. */
  idempotencyKey?: string;
  /** Override the workspace's sender (support address, else KEFU_MAIL_FROM, else no-reply@<public host>). */
  from?: string;
  replyTo?: string;
  /** Choose the department's support address as sender, when it has one. */
  departmentId?: string | null;
}

export interface QueuedMail {
  id: string;
  messageId: string;
  status: 'held' | 'queued' | 'sending' | 'sent' | 'failed';
}
